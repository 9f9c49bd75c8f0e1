# Test double (tests/servers/pmghost) of pmg-api src/PMG/Fetchmail.pm, behaving as its source does:
# - read_fetchmail_conf skips every line up to PMG's marker `# proxmox settings` and reads the
#   entries below it (poll|skip <id> via/protocol/port/interval/user/pass/to, flags), dying on an
#   unknown token ("line N: unexpected token '...' inside entry '<id>'");
# - write_fetchmail_conf renders the whole file from template fetchmailrc.tt with the entries
#   (values escaped \xNN outside [A-Za-z0-9:@._~-], options dropdelivered, ssl or sslproto '',
#   keep), mode 0600, owner fetchmail, then calls update_fetchmail_default(entry count);
# - update_fetchmail_default: on a standalone or master node, when (count > 0) differs from
#   START_DAEMON=yes, rewrites the first START_DAEMON line (dropping other ones) and restarts
#   fetchmail; creates /etc/fetchmailrc -> /etc/pmg/fetchmailrc only when nothing is there; on any
#   other cluster node switches START_DAEMON off and unlinks /etc/fetchmailrc.
package PMG::Fetchmail;
use strict;
use warnings;
use PVE::INotify;
use PMG::Config;

my $config_filename = '/etc/pmg/fetchmailrc';
my $config_link_filename = '/etc/fetchmailrc';
my $default_filename = '/etc/default/fetchmail';

sub read_default {
    open(my $fh, '<', $default_filename) or return 0;
    while (my $l = <$fh>) { return 1 if $l =~ m/^START_DAEMON=yes\s*$/; }
    return 0;
}

sub write_default {
    my ($enable) = @_;
    my $out = '';
    my $done = 0;
    my $line = $enable ? "START_DAEMON=yes\n" : "START_DAEMON=no\n";
    if (open(my $in, '<', $default_filename)) {
        while (my $l = <$in>) {
            if ($l =~ m/^#?START_DAEMON=.*$/) { $out .= $line if !$done++; }
            else { $out .= $l; }
        }
    } else { $out = $line; $done = 1; }
    open(my $fh, '>', "$default_filename.tmp") or die "$!\n";
    print $fh $out;
    close($fh);
    rename("$default_filename.tmp", $default_filename) or die "$!\n";
}

sub role {
    open(my $fh, '<', '/etc/pmg/cluster.conf') or return '-';
    my $local = PVE::INotify::nodename();
    my $type;
    while (my $l = <$fh>) {
        $type = $1 if $l =~ m/^(node|master):\s*\d+\s*$/;
        return $type if $type && $l =~ m/^\s+name\s+(\S+)\s*$/ && $1 eq $local;
    }
    return '-';
}

sub read_fetchmail_conf {
    my ($filename, $fh) = @_;
    my $cfg = {};
    return $cfg if !$fh;
    while (defined(my $line = <$fh>)) { last if $line =~ m/^\#\s+proxmox\s+settings.*$/; }
    my ($item, $linenr);
    my @tokens;
    while (defined(my $line = <$fh>)) {
        $linenr = $.;
        while ($line =~ /\G("([^"]*)"|\S+|)(?:\s|$)/g) {
            next if $1 eq '';
            my ($t, $s) = ($1, $2);
            $s =~ s/\\x([0-9A-Fa-f]{2})/chr(hex($1))/eg if defined($s);
            push @tokens, [$t, $s, $linenr];
        }
    }
    while (my $tok = shift @tokens) {
        my ($t, undef, $n) = @$tok;
        my $arg = sub { my $a = shift @tokens or die "line $n: missing token argument\n"; return $a->[1] // $a->[0]; };
        if ($t eq 'poll' || $t eq 'skip') {
            $cfg->{ $item->{id} } = $item if $item;
            $item = { id => $arg->(), enable => $t eq 'poll' ? 1 : 0 };
            next;
        }
        die "line $n: unexpected token '$t'\n" if !$item;
        my %key = (user => 'user', via => 'server', pass => 'pass', to => 'target', protocol => 'protocol',
            port => 'port', interval => 'interval', sslproto => 'sslproto');
        if ($key{$t}) { $item->{ $key{$t} } = $arg->(); }
        elsif ($t eq 'ssl' || $t eq 'keep' || $t eq 'dropdelivered') { $item->{$t} = 1; }
        else { die "line $n: unexpected token '$t' inside entry '$item->{id}'\n"; }
    }
    $cfg->{ $item->{id} } = $item if $item;
    return $cfg;
}

sub write_fetchmail_conf {
    my ($filename, $fh, $fmcfg) = @_;
    my $data = {};
    my $count = 0;
    foreach my $id (keys %$fmcfg) {
        my $item = { id => $id };
        $count++;
        foreach my $k (keys %{ $fmcfg->{$id} }) {
            my $v = $fmcfg->{$id}->{$k};
            $v =~ s/([^A-Za-z0-9\:\@\-\._~])/sprintf "\\x%02x",ord($1)/eg;
            $item->{$k} = $v;
        }
        $item->{protocol} //= 'pop3';
        $item->{interval} //= 1;
        $item->{port} ||= $item->{protocol} eq 'imap' ? ($item->{ssl} ? 993 : 143) : ($item->{ssl} ? 995 : 110);
        my @options = ('dropdelivered');
        push @options, $item->{ssl} ? 'ssl' : ('sslproto', "''");
        push @options, 'keep' if $item->{keep};
        $item->{options} = join(' ', @options);
        $data->{$id} = $item;
    }
    my $vars = PMG::Config->new()->get_template_vars();
    $vars->{fetchmail_users} = $data;
    my $raw = '';
    my $tt = PMG::Config::get_template_toolkit();
    $tt->process('fetchmailrc.tt', $vars, \$raw) || die $tt->error() . "\n";
    my (undef, undef, $uid, $gid) = getpwnam('fetchmail');
    chown($uid, $gid, $fh) if defined($uid) && defined($gid);
    chmod(0600, $fh);
    PVE::Tools::safe_print($filename, $fh, $raw);
    update_fetchmail_default($count);
}

sub update_fetchmail_default {
    my ($enable) = @_;
    my $is_enabled = read_default();
    my $role = role();
    if ($role eq '-' || $role eq 'master') {
        if (!!$enable != !!$is_enabled) {
            write_default($enable);
            system('systemctl', 'restart', 'fetchmail');
        }
        symlink($config_filename, $config_link_filename) if !-e $config_link_filename;
    } else {
        write_default(0) if $is_enabled;
        unlink $config_link_filename if -e $config_link_filename;
    }
}

PVE::INotify::register_file('fetchmailrc', $config_filename, \&read_fetchmail_conf, \&write_fetchmail_conf);

1;

# Test double (tests/servers/pmghost) of what PMG's fetchmail writer takes from PMG::Config
# (pmg-api src/PMG/Config.pm): lock_config runs the code under the config lock, dying with
# "$errmsg: $err" on failure; get_template_vars gives `ipconfig.int_ip` and `pmg.mail.ext_port`
# (here from the bed's /etc/pmg/testbed.conf); get_template_toolkit searches /etc/pmg/templates
# first, then /var/lib/pmg/templates ($tt_include_path).
package PMG::Config;
use strict;
use warnings;
use Template;
use PVE::INotify;

sub lock_config {
    my ($code, $errmsg) = @_;
    eval { PVE::Tools::lock_file('/var/lib/testbed/pmgconfig.lck', undef, $code) };
    if (my $err = $@) { $errmsg ? die "$errmsg: $err" : die $err; }
}

sub new { return bless {}, shift; }

sub get_template_vars {
    my %bed = (int_ip => '127.0.0.1', ext_port => 25);
    if (open(my $conf, '<', '/etc/pmg/testbed.conf')) {
        while (<$conf>) { $bed{$1} = $2 if /^(\w+)=(.*)$/; }
    }
    return { ipconfig => { int_ip => $bed{int_ip} }, pmg => { mail => { ext_port => $bed{ext_port} } } };
}

sub get_template_toolkit {
    return Template->new({ INCLUDE_PATH => '/etc/pmg/templates:/var/lib/pmg/templates' });
}

1;

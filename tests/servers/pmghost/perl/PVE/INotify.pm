# Test double (tests/servers/pmghost) of the parts of PVE::INotify and PVE::Tools that PMG's
# fetchmail writer uses: register_file / read_file / write_file (the parser gets an open handle or
# undef for a missing file; the writer writes a temporary file renamed over the target) and
# safe_print. Behaviour as pve-common src/PVE/INotify.pm and src/PVE/Tools.pm describe it.
package PVE::INotify;
use strict;
use warnings;

my %files;

sub register_file {
    my ($id, $filename, $parser, $writer, undef, %opts) = @_;
    $files{$id} = { filename => $filename, parser => $parser, writer => $writer };
}

sub nodename {
    my $n = (POSIX::uname())[1];
    $n =~ s/\..*$//;
    return $n;
}

sub read_file {
    my ($id) = @_;
    my $f = $files{$id} or die "file '$id' is not registered\n";
    my $fh;
    open($fh, '<', $f->{filename}) or $fh = undef;
    my $res = $f->{parser}->($f->{filename}, $fh);
    close($fh) if $fh;
    return $res;
}

sub write_file {
    my ($id, $data) = @_;
    my $f = $files{$id} or die "file '$id' is not registered\n";
    my $tmp = "$f->{filename}.tmp.$$";
    open(my $fh, '>', $tmp) or die "unable to open file '$tmp' - $!\n";
    eval { $f->{writer}->($f->{filename}, $fh, $data); };
    my $err = $@;
    close($fh);
    if ($err) { unlink $tmp; die $err; }
    rename($tmp, $f->{filename}) or die "rename '$tmp' failed - $!\n";
}

package PVE::Tools;

sub safe_print {
    my ($filename, $fh, $data) = @_;
    print $fh $data or die "write to '$filename' failed\n";
}

sub lock_file {
    my ($file, undef, $code) = @_;
    open(my $lock, '>>', $file) or die "can't open lock '$file' - $!\n";
    flock($lock, 2) or die "can't lock '$file' - $!\n";
    my $res = eval { $code->() };
    close($lock);
    return $res;
}

use POSIX ();
1;

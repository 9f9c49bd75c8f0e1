# Runs on the PMG host: providers/pmghost/fetchmailHost.ts sends it over SSH on stdin (`perl -`).
# Renders /etc/pmg/fetchmailrc the way every change in PMG's fetchmail API does (pmg-api
# src/PMG/API2/Fetchmail.pm: under PMG::Config::lock_config, read_file then write_file of
# 'fetchmailrc'), so the file is exactly what PMG itself writes from its template
# (/etc/pmg/templates/fetchmailrc.tt first): PMG's own entries untouched, mode 0600, owner fetchmail
# (src/PMG/Fetchmail.pm write_fetchmail_conf). PMG then updates /etc/default/fetchmail and the
# /etc/fetchmailrc link itself (update_fetchmail_default); the caller checks both afterwards.
use strict;
use warnings;

use PMG::Config;
use PMG::Fetchmail;
use PVE::INotify;

PMG::Config::lock_config(
    sub {
        my $cfg = PVE::INotify::read_file('fetchmailrc');
        PVE::INotify::write_file('fetchmailrc', $cfg);
        print scalar(keys %$cfg), "\n"; # PMG's own entries: the caller reports them
    },
    "homelab-mail: rendering /etc/pmg/fetchmailrc failed",
);

#!/usr/bin/perl
# Benchmark driver: Mail::DKIM::Verifier over the corpus in one process, keys from keys.txt (no DNS).
#
#   perl bench/verify/drivers/maildkim.pl --corpus DIR [--list subset-2000.txt]
#
# DNS is replaced the way Mail::DKIM's own tests do it: Mail::DKIM::DNS::resolver() takes any object
# with Net::DNS::Resolver's send() and errorstring(); KeyFileResolver answers TXT queries from
# keys.txt. Every signature is verified (Mail::DKIM always does). Prints one JSON line shaped like the
# TypeScript drivers' (see drivers/common.ts).
use strict;
use warnings;
use Getopt::Long;
use JSON::PP;
use Time::HiRes qw(time);
use Mail::DKIM;
use Mail::DKIM::Verifier;
use Mail::DKIM::DNS;
use FindBin;
use lib "$FindBin::Bin/../../../test/dkim/peers";
use KeyFileResolver;    # shared with the differential test

my ( $corpus, $list ) = ( undef, 'all.txt' );
GetOptions( 'corpus=s' => \$corpus, 'list=s' => \$list ) or die "usage: $0 --corpus DIR [--list FILE]\n";
die "--corpus DIR is required\n" unless $corpus;

sub slurp {
    my ($path) = @_;
    open my $fh, '<:raw', $path or die "$path: $!\n";
    local $/;
    my $data = <$fh>;
    close $fh;
    return $data;
}

Mail::DKIM::DNS::resolver( KeyFileResolver->new->load("$corpus/keys.txt") );

my $manifest = JSON::PP->new->decode( slurp("$corpus/manifest.json") );
my %by_file = map { $_->{file} => $_ } @{ $manifest->{messages} };
my @files = grep { length } split /\n/, slurp("$corpus/$list");

my ( @outcomes, %signatures );
my $read_s = 0;
my $t0 = time;
for my $name (@files) {
    my $r0 = time;
    my $message = slurp("$corpus/$name");
    $read_s += time - $r0;
    my $outcome = eval {
        my $dkim = Mail::DKIM::Verifier->new();
        $dkim->PRINT($message);
        $dkim->CLOSE;
        my ( $n, $passed ) = ( 0, 0 );
        for my $sig ( $dkim->signatures ) {
            my $result = $sig->result;
            my $detail = $sig->result_detail;
            my $key = $result eq 'pass' ? 'pass' : $detail;
            $key =~ s/\s*\(.*$// if $result ne 'pass' && $detail =~ /^(invalid|fail) \(/ && $detail !~ /unsupported|algorithm/;
            $signatures{$key}++;
            $n++;
            $passed++ if $result eq 'pass';
        }
        $n == 0 ? 'none' : $passed == $n ? 'pass' : $passed > 0 ? 'partial' : 'fail';
    };
    push @outcomes, defined $outcome ? $outcome : 'error';
}
my $seconds = time - $t0;

my ( %results, %differs, @examples );
my ( $matches, $bytes ) = ( 0, 0 );
for my $i ( 0 .. $#files ) {
    my $got = $outcomes[$i];
    $results{$got}++;
    my $m = $by_file{ $files[$i] } // {};
    $bytes += $m->{bytes} // 0;
    my $expected = $m->{expected} // 'pass';
    if ( $got eq $expected ) { $matches++; next }
    my $sigs = join '+', map { "$_->{keyKind}/$_->{c}" } @{ $m->{signatures} // [] };
    my $key = "$expected->$got $sigs" . ( $m->{tamper} ? " $m->{tamper}" : '' );
    $differs{$key}++;
    push @examples, "$files[$i]: expected $expected, got $got" if @examples < 5;
}

my $maxrss = 0;
if ( open my $st, '<', '/proc/self/status' ) {
    while (<$st>) { $maxrss = int( $1 / 1024 + 0.5 ) if /^VmHWM:\s+(\d+)/ }
}

print JSON::PP->new->canonical->encode(
    {
        tool        => 'Mail::DKIM',
        version     => "$Mail::DKIM::VERSION",
        mode        => 'Mail::DKIM::Verifier, every signature, one core',
        list        => $list,
        messages    => scalar @files,
        bytes       => $bytes,
        seconds     => $seconds,
        readSeconds => $read_s,
        results     => \%results,
        signatures  => \%signatures,
        agreement   => { matches => $matches, differs => \%differs, examples => \@examples },
        maxRssMB    => $maxrss,
    }
) . "\n";

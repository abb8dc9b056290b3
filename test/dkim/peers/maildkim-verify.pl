#!/usr/bin/perl
# Verify messages with Mail::DKIM (Debian libmail-dkim-perl), keys from a key file, no DNS.
# Reads JSON lines {"message": PATH, "keys": PATH} on stdin; prints JSON lines
# {"message": PATH, "results": ["pass"|"fail"|"invalid"|"none"|... per signature, top to bottom]}.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use JSON::PP;
use Mail::DKIM::Verifier;
use Mail::DKIM::DNS;
use KeyFileResolver;

my $resolver = KeyFileResolver->new;
Mail::DKIM::DNS::resolver($resolver);
my $json = JSON::PP->new->canonical;
$| = 1;

while ( my $request = <STDIN> ) {
    my $req = $json->decode($request);
    $resolver->load( $req->{keys} );
    open my $mf, '<:raw', $req->{message} or die "$req->{message}: $!\n";
    my $verifier = Mail::DKIM::Verifier->new;
    while ( my $line = <$mf> ) {
        $line =~ s/\r?\n\z/\r\n/;    # Mail::DKIM wants CRLF; a stored message may have LF
        $verifier->PRINT($line);
    }
    close $mf;
    $verifier->CLOSE;
    my @results = map { $_->result } $verifier->signatures;
    print $json->encode( { message => $req->{message}, results => \@results } ), "\n";
}

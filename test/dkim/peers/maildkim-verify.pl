#!/usr/bin/perl
# Verify messages with Mail::DKIM (Debian libmail-dkim-perl), keys from a key file, no DNS.
# Reads JSON lines {"message": PATH, "keys": PATH} on stdin; prints JSON lines
# {"message": PATH, "results": ["pass"|"fail"|"invalid"|"none"|... per signature, top to bottom]}.
use strict;
use warnings;
use JSON::PP;
use Mail::DKIM::Verifier;
use Mail::DKIM::DNS;
use Net::DNS;

package KeyFileResolver;

sub new { return bless { keys => {}, error => 'NOERROR' }, shift }

sub send {
    my ( $self, $name, $type ) = @_;
    $name = lc $name;
    $name =~ s/\.$//;
    my $packet = Net::DNS::Packet->new( $name, $type, 'IN' );
    my $value  = $type eq 'TXT' ? $self->{keys}{$name} : undef;
    if ( defined $value ) {
        my @strings = unpack( '(A255)*', $value );    # a TXT string holds at most 255 bytes
        $packet->push( answer => Net::DNS::RR->new( name => $name, type => 'TXT', txtdata => [@strings] ) );
        $packet->header->rcode('NOERROR');
    }
    else {
        $packet->header->rcode('NXDOMAIN');
    }
    return $packet;
}

sub errorstring { return $_[0]{error} }

package main;

my $resolver = KeyFileResolver->new;
Mail::DKIM::DNS::resolver($resolver);
my $json = JSON::PP->new->canonical;
$| = 1;

while ( my $request = <STDIN> ) {
    my $req = $json->decode($request);
    my %keys;
    open my $kf, '<:raw', $req->{keys} or die "$req->{keys}: $!\n";
    while ( my $line = <$kf> ) {
        $line =~ s/^\s+|\s+$//g;
        next if $line eq '' || $line =~ /^#/;
        my ( $name, $value ) = split /\s+/, $line, 2;
        $name = lc $name;
        $name =~ s/\.$//;
        $keys{$name} //= $value;
    }
    close $kf;
    $resolver->{keys} = \%keys;

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

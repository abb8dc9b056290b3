package KeyFileResolver;
# A stand-in for Net::DNS::Resolver that answers TXT queries from a key file
# (`selector._domainkey.domain TXT-value` lines), so Mail::DKIM verifies offline. Mail::DKIM takes any
# object with send() and errorstring() through Mail::DKIM::DNS::resolver(). Used by the differential
# test (test/dkim/peers/maildkim-verify.pl) and the benchmark driver (bench/verify/drivers/maildkim.pl).
use strict;
use warnings;
use Net::DNS;

sub new {
    my ( $class, $keys ) = @_;
    return bless { keys => $keys // {}, error => 'NOERROR' }, $class;
}

# Replace the records served with those of a key file.
sub load {
    my ( $self, $path ) = @_;
    my %keys;
    open my $fh, '<:raw', $path or die "$path: $!\n";
    while ( my $line = <$fh> ) {
        $line =~ s/^\s+|\s+$//g;
        next if $line eq '' || $line =~ /^#/;
        my ( $name, $value ) = split /\s+/, $line, 2;
        $name = lc $name;
        $name =~ s/\.$//;
        $keys{$name} //= $value;
    }
    close $fh;
    $self->{keys} = \%keys;
    return $self;
}

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

1;

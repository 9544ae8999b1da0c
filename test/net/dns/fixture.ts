// The fixture zones the unbound tests and the dig comparison serve: A/AAAA, a CNAME chain, MX,
// SRV, TXT with several strings and > 255 bytes, NS, PTR, NODATA, and an answer larger than
// the EDNS0 size gonet advertises (TC over UDP, then TCP).

export const BIG = 120; // 120 A records: ~2 KB, more than the 1232 bytes we advertise → TC → TCP
export const LONG_TXT = ['x'.repeat(200), 'y'.repeat(200), 'z'.repeat(100)];

export const ZONE = `$ORIGIN example.test.
$TTL 300
@        300 IN SOA ns1.example.test. admin.example.test. 1 3600 600 86400 60
@        300 IN NS  ns1.example.test.
@        300 IN NS  ns2.example.test.
ns1      300 IN A   127.0.0.1
ns2      300 IN A   127.0.0.2
a        300 IN A   192.0.2.1
a        300 IN AAAA 2001:db8::1
multi    300 IN A   192.0.2.11
multi    300 IN A   192.0.2.12
multi    300 IN A   192.0.2.13
v6only   300 IN AAAA 2001:db8::6
c1       300 IN CNAME c2
c2       300 IN CNAME a
@        300 IN MX  20 mail2
@        300 IN MX  10 mail1
mail1    300 IN A   192.0.2.25
mail2    300 IN A   192.0.2.26
_sip._tcp 300 IN SRV 10 60 5060 sip1
_sip._tcp 300 IN SRV 10 40 5061 sip2
_sip._tcp 300 IN SRV 20 0  5062 sip3
txt      300 IN TXT "hello" "world"
txt      300 IN TXT "second record"
longtxt  300 IN TXT "${LONG_TXT.join('" "')}"
nodata   300 IN TXT "only text here"
${Array.from({ length: BIG }, (_, i) => `big 300 IN A 10.1.${i >> 8}.${i & 255}`).join('\n')}
`;

export const PTR_ZONE = `$ORIGIN 2.0.192.in-addr.arpa.
$TTL 300
@  300 IN SOA ns1.example.test. admin.example.test. 1 3600 600 86400 60
@  300 IN NS  ns1.example.test.
1  300 IN PTR a.example.test.
11 300 IN PTR multi.example.test.
11 300 IN PTR other.example.test.
`;

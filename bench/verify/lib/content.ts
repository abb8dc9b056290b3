/**
 * Realistic-looking mail content for the benchmark corpus: people, organisations, prose in English and
 * French, replies with quoted history, HTML alternatives and attachments. Only the shape matters (sizes,
 * encodings, header mix); every word is chosen by a seeded generator.
 */
import type { Rng } from './rng.ts';

const FIRST = [
  'Alice',
  'Benjamin',
  'Camille',
  'David',
  'Élodie',
  'François',
  'Gabrielle',
  'Hugo',
  'Inès',
  'Julien',
  'Karim',
  'Léa',
  'Mathieu',
  'Nadia',
  'Olivier',
  'Pauline',
  'Quentin',
  'Rachel',
  'Sébastien',
  'Thomas',
  'Ursula',
  'Victor',
  'Wendy',
  'Xavier',
  'Yasmine',
  'Zoé',
  'Emma',
  'Liam',
  'Sophia',
  'Noah',
  'Chloé',
  'Arthur',
  'Manon',
  'Louis',
  'Sarah',
  'Nicolas',
  'Claire',
  'Antoine',
  'Juliette',
  'Stéphane',
];
const LAST = [
  'Martin',
  'Bernard',
  'Dubois',
  'Thomas',
  'Robert',
  'Richard',
  'Petit',
  'Durand',
  'Leroy',
  'Moreau',
  'Simon',
  'Laurent',
  'Lefèvre',
  'Michel',
  'Garcia',
  'David',
  'Bertrand',
  'Roux',
  'Vincent',
  'Fournier',
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Miller',
  'Davis',
  'Wilson',
  'Anderson',
  'Taylor',
  'Nguyen',
  'Haddad',
  'Kowalski',
  'Rossi',
  'Müller',
  'Schmidt',
  'Novak',
  'Silva',
  'Costa',
  'Okafor',
];
const ORG_WORDS = [
  'atlas',
  'horizon',
  'meridian',
  'civic',
  'lumen',
  'vector',
  'orchard',
  'harbor',
  'summit',
  'beacon',
  'granite',
  'cedar',
  'willow',
  'falcon',
  'pioneer',
  'quartz',
  'nova',
  'sierra',
  'delta',
  'avenir',
  'republique',
  'mairie',
  'campagne',
  'conseil',
  'presse',
  'cabinet',
  'fondation',
  'agence',
  'reseau',
];
const ORG_SUFFIX = ['', '-group', '-partners', '-media', '-consulting', '-lab', '-news', '-asso', '-law'];
const TLD = ['example', 'example', 'example.com', 'example.org', 'example.net', 'test'];

const EN_WORDS = (
  'the of and to in for on with as at by this that we our your please meeting budget draft report ' +
  'schedule campaign press release statement agenda attached document review comments tomorrow today ' +
  'week monday tuesday wednesday thursday friday call team board committee final version numbers ' +
  'figures quarter plan strategy update deadline contract invoice payment travel hotel flight venue ' +
  'speech interview journalist editor article story source confirm approve send forward reply thanks ' +
  'regards question answer issue problem solution proposal option decision vote poll survey results ' +
  'region city office staff volunteer donor event rally debate television radio online social media ' +
  'would could should will can may must need want think know see look make take give find keep ' +
  'new old next last first important urgent quick short long brief detailed clear open private public'
).split(' ');
const FR_WORDS = (
  'le la les de des du et à en pour sur avec dans par ce cette nous vous notre votre réunion budget ' +
  'projet rapport calendrier campagne communiqué presse déclaration ordre jour pièce jointe document ' +
  'relecture commentaires demain aujourd’hui semaine lundi mardi mercredi jeudi vendredi appel équipe ' +
  'bureau comité version finale chiffres trimestre stratégie mise à jour échéance contrat facture ' +
  'paiement déplacement hôtel salle discours entretien journaliste rédaction article source confirmer ' +
  'valider envoyer transférer répondre merci cordialement question réponse problème solution ' +
  'proposition décision vote sondage résultats région ville équipe bénévoles donateurs événement ' +
  'meeting débat télévision réseaux sociaux faut pouvoir devoir penser savoir voir faire prendre ' +
  'donner trouver garder nouveau dernier premier important urgent rapide court détaillé clair privé'
).split(' ');

const SUBJECTS_EN = [
  'Draft statement for review',
  'Agenda for tomorrow',
  'Budget update',
  'Press request',
  'Travel plans',
  'Interview schedule',
  'Notes from the call',
  'Final numbers',
  'Speech draft v3',
  'Quick question',
  'Volunteer list',
  'Event logistics',
  'Poll results',
  'Donor meeting',
  'Contract for signature',
  'Board minutes',
  'Talking points',
  'Media coverage summary',
  'Invoice',
  'Weekly report',
];
const SUBJECTS_FR = [
  'Projet de communiqué',
  'Ordre du jour de demain',
  'Point budget',
  'Demande presse',
  'Déplacement',
  'Planning des interviews',
  'Compte rendu de l’appel',
  'Chiffres définitifs',
  'Discours v3',
  'Petite question',
  'Liste des bénévoles',
  'Logistique événement',
  'Résultats du sondage',
  'Réunion donateurs',
  'Contrat à signer',
  'Procès-verbal du bureau',
  'Éléments de langage',
  'Revue de presse',
  'Facture',
  'Point hebdomadaire',
];

const MAILERS = [
  'Microsoft Outlook 15.0',
  'Apple Mail (2.3124)',
  'Mozilla/5.0 (Windows NT 10.0; WOW64; rv:45.0) Gecko/20100101 Thunderbird/45.8.0',
  'iPhone Mail (14E304)',
  'Microsoft Outlook 16.0',
  'Roundcube Webmail/1.2.4',
];

export interface Person {
  readonly name: string;
  readonly address: string;
}

export interface Org {
  readonly domain: string;
  readonly french: boolean;
  /** Outbound MTA host names. */
  readonly mta: string;
  readonly tz: string;
  readonly people: readonly Person[];
  readonly mailer: string;
}

function ascii(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9.-]/g, '')
    .toLowerCase();
}

export function makeOrg(rng: Rng, index: number): Org {
  const domain = `${rng.pick(ORG_WORDS)}${rng.pick(ORG_SUFFIX)}${index}.${rng.pick(TLD)}`;
  const french = rng.chance(0.6);
  const people: Person[] = [];
  const n = rng.int(4, 24);
  for (let i = 0; i < n; i++) {
    const first = rng.pick(FIRST);
    const last = rng.pick(LAST);
    const local = rng.chance(0.7) ? `${ascii(first)}.${ascii(last)}` : `${ascii(first)[0]}${ascii(last)}`;
    people.push({ name: `${first} ${last}`, address: `${local}@${domain}` });
  }
  return {
    domain,
    french,
    mta: `${rng.pick(['smtp', 'mail', 'mx-out', 'relay', 'out'])}${rng.int(1, 4)}.${domain}`,
    tz: french ? rng.pick(['+0100', '+0200']) : rng.pick(['-0500', '-0400', '+0000', '+0100']),
    people,
    mailer: rng.pick(MAILERS),
  };
}

/** Words wrapped into paragraphs of lines of at most `width` characters. */
export function prose(rng: Rng, french: boolean, targetChars: number, width = 72): string[] {
  const words = french ? FR_WORDS : EN_WORDS;
  const lines: string[] = [];
  let total = 0;
  while (total < targetChars) {
    const sentences = rng.int(2, 6);
    let para = '';
    for (let s = 0; s < sentences; s++) {
      const n = rng.int(6, 18);
      const ws: string[] = [];
      for (let w = 0; w < n; w++) ws.push(rng.pick(words));
      const first = ws[0] ?? 'ok';
      ws[0] = first.charAt(0).toUpperCase() + first.slice(1);
      if (rng.chance(0.15)) ws.push(String(rng.int(2, 99_999)));
      para += `${ws.join(' ')}${rng.pick(['.', '.', '.', '?', '!'])} `;
    }
    let line = '';
    for (const word of para.trim().split(' ')) {
      if (line && line.length + 1 + word.length > width) {
        lines.push(line);
        total += line.length + 2;
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    if (line) {
      lines.push(line);
      total += line.length + 2;
    }
    lines.push('');
  }
  return lines;
}

export function subject(rng: Rng, french: boolean): string {
  const base = rng.pick(french ? SUBJECTS_FR : SUBJECTS_EN);
  const prefix = rng.weighted([
    ['', 5],
    ['Re: ', 4],
    [french ? 'TR: ' : 'Fwd: ', 1],
    [french ? 'RE: RE: ' : 'RE: RE: ', 1],
  ] as const);
  return `${prefix}${base}`;
}

const B64_LINE = 76;

export function base64Lines(data: Uint8Array): string {
  const b64 = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += B64_LINE) lines.push(b64.slice(i, i + B64_LINE));
  return lines.join('\r\n');
}

/** Quoted-printable (RFC 2045) of UTF-8 text lines, with soft breaks under 76 columns. */
export function quotedPrintable(lines: readonly string[]): string {
  const out: string[] = [];
  for (const line of lines) {
    const bytes = Buffer.from(line, 'utf8');
    let cur = '';
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i] ?? 0;
      const last = i === bytes.length - 1;
      let tok: string;
      if ((b >= 33 && b <= 126 && b !== 61) || ((b === 32 || b === 9) && !last)) tok = String.fromCharCode(b);
      else tok = `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
      if (cur.length + tok.length > 75) {
        out.push(`${cur}=`);
        cur = '';
      }
      cur += tok;
    }
    out.push(cur);
  }
  return out.join('\r\n');
}

/** An RFC 2047 encoded word when the text is not ASCII. */
export function encodeWord(rng: Rng, text: string): string {
  if (/^[\x00-\x7f]*$/.test(text)) return text;
  if (rng.chance(0.5)) return `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
  const q = [...Buffer.from(text, 'utf8')]
    .map((b) =>
      b === 32
        ? '_'
        : b > 126 || b === 61 || b === 63 || b === 95
          ? `=${b.toString(16).toUpperCase()}`
          : String.fromCharCode(b),
    )
    .join('');
  return `=?utf-8?Q?${q}?=`;
}

export function mailbox(rng: Rng, p: Person): string {
  if (/^[\x00-\x7f]*$/.test(p.name))
    return rng.chance(0.8) ? `"${p.name}" <${p.address}>` : `${p.name} <${p.address}>`;
  return `${encodeWord(rng, p.name)} <${p.address}>`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 date for an instant, shown in the given offset (`+0100`). */
export function rfc5322Date(ms: number, tz: string): string {
  const sign = tz.startsWith('-') ? -1 : 1;
  const offsetMin = sign * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(3, 5)));
  const d = new Date(ms + offsetMin * 60_000);
  const p2 = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${tz}`
  );
}

/** The asctime-style date of an mbox `From ` line. */
export function asctime(ms: number): string {
  const d = new Date(ms);
  const p2 = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ` +
    `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${d.getUTCFullYear()}`
  );
}

export function hex(rng: Rng, n: number): string {
  return rng
    .bytes(Math.ceil(n / 2))
    .toString('hex')
    .slice(0, n);
}

export function ipv4(rng: Rng, internal = false): string {
  return internal
    ? `10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`
    : `${rng.int(11, 223)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

export interface Attachment {
  readonly contentType: string;
  readonly filename: string;
  /** Bytes at the start of the file that make it look like its type. */
  readonly magic: Buffer;
  readonly trailer: Buffer;
}

export function attachmentKind(rng: Rng, french: boolean, date: string): Attachment {
  const stamp = date.replace(/[^0-9]/g, '').slice(0, 6);
  return rng.weighted<Attachment>([
    [
      {
        contentType: 'application/pdf',
        filename: `${french ? 'Note' : 'Memo'}_${stamp}_${rng.int(1, 99)}.pdf`,
        magic: Buffer.from('%PDF-1.5\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nstream\n', 'latin1'),
        trailer: Buffer.from('\nendstream\nendobj\n%%EOF\n', 'latin1'),
      },
      4,
    ],
    [
      {
        contentType: 'image/jpeg',
        filename: `IMG_${rng.int(1000, 9999)}.JPG`,
        magic: Buffer.from('ffd8ffe000104a46494600010101004800480000', 'hex'),
        trailer: Buffer.from('ffd9', 'hex'),
      },
      3,
    ],
    [
      {
        contentType: 'image/png',
        filename: `image${rng.int(1, 20)}.png`,
        magic: Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
        trailer: Buffer.from('0000000049454e44ae426082', 'hex'),
      },
      1,
    ],
    [
      {
        contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        filename: `${french ? 'Projet' : 'Draft'}_${stamp}.docx`,
        magic: Buffer.from('504b0304140006000800000021', 'hex'),
        trailer: Buffer.from('504b0506000000000100010000', 'hex'),
      },
      2,
    ],
    [
      {
        contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        filename: `${french ? 'Chiffres' : 'Figures'}_${stamp}.xlsx`,
        magic: Buffer.from('504b0304140006000800000021', 'hex'),
        trailer: Buffer.from('504b0506000000000100010000', 'hex'),
      },
      1,
    ],
  ]);
}

export function html(lines: readonly string[]): string[] {
  const out = [
    '<html xmlns:o="urn:schemas-microsoft-com:office:office">',
    '<head>',
    '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">',
    '<style type="text/css">p.MsoNormal, li.MsoNormal { margin: 0cm; font-size: 11.0pt; font-family: "Calibri", sans-serif; }</style>',
    '</head>',
    '<body lang="FR" link="#0563C1" vlink="#954F72">',
    '<div class="WordSection1">',
  ];
  let para: string[] = [];
  const flush = () => {
    if (para.length) {
      out.push(`<p class="MsoNormal"><span style="font-size:11.0pt">${para.join(' ')}</span></p>`);
      para = [];
    }
  };
  for (const line of lines) {
    if (line === '') {
      flush();
      out.push('<p class="MsoNormal"><o:p>&nbsp;</o:p></p>');
    } else {
      para.push(line.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    }
  }
  flush();
  out.push('</div>', '</body>', '</html>');
  return out;
}

// What is on: performers and events, written as data. Dates are relative (days from the seed's
// `now`, local wall-clock times at the venue); event-plans.ts turns them into instants and statuses.
// All names are invented.
import { VENUE_SLUGS } from "./venues.js";

export const CATEGORIES = ["Concert", "Theatre", "Comedy", "Classical", "Sports", "Family"] as const;
export type Category = (typeof CATEGORIES)[number];

export interface PerformerSpec {
  slug: string;
  name: string;
}

/** A price tier and the venue zones (see venue-geometry.ts) whose sections sell at it. */
export interface TierSpec {
  name: string;
  priceMinor: number;
  zones: readonly string[];
}

export type SaleSpec =
  /** Local `at` ("HH:MM", default 10:00) on the day `daysFromNow` days from today at the venue. */
  | { daysFromNow: number; at?: string }
  /** Exactly this many hours after the seed's `now` (for a sale that opens while you demo it). */
  | { hoursFromNow: number };

export interface EventSpec {
  slug: string;
  name: string;
  performer: string;
  venue: string;
  category: Category;
  description: string;
  /** Days from today at the venue; negative for shows that already happened. */
  day: number;
  /** Local start time; by default one of the category's usual times. */
  time?: string;
  /** By default the sale opened one to six weeks ago (or before a past show). */
  sale?: SaleSpec;
  draft?: boolean;
  cancelled?: boolean;
  tiers: readonly TierSpec[];
  currency?: string;
  maxTicketsPerAccount?: number;
  feePerTicketMinor?: number;
  /** Sold by the venue itself: no organizer account owns it. */
  independent?: boolean;
  /** Behind the waiting room. */
  queue?: { admissionRatePerMinute: number; maxActiveShoppers?: number };
  /** The venue's chart the event sells (default "Main"); a tier's zone "standing" prices its standing areas. */
  chart?: string;
}

export const PERFORMERS: readonly PerformerSpec[] = [
  { slug: "aurora-vale", name: "Aurora Vale" },
  { slug: "the-harbour-lights", name: "The Harbour Lights" },
  { slug: "neon-meridian", name: "Neon Meridian" },
  { slug: "velvet-static", name: "Velvet Static" },
  { slug: "lena-hartmann", name: "Lena Hartmann" },
  { slug: "los-caminos", name: "Los Caminos" },
  { slug: "mira-castellano", name: "Mira Castellano" },
  { slug: "kasper-lund-quartet", name: "Kasper Lund Quartet" },
  { slug: "amstel-big-band", name: "Amstel Big Band" },
  { slug: "the-wandering-owls", name: "The Wandering Owls" },
  { slug: "spree-chamber-orchestra", name: "Spree Chamber Orchestra" },
  { slug: "orchestre-de-belleville", name: "Orchestre de Belleville" },
  { slug: "donau-philharmonie", name: "Donau Philharmonie" },
  { slug: "clara-weiss", name: "Clara Weiss" },
  { slug: "pim-de-groot", name: "Pim de Groot" },
  { slug: "sofia-marchetti", name: "Sofía Marchetti" },
  { slug: "jonas-brix", name: "Jonas Brix" },
  { slug: "dara-quinn", name: "Dara Quinn" },
  { slug: "hugo-lefevre", name: "Hugo Lefèvre" },
  { slug: "grachten-toneel", name: "Grachten Toneel" },
  { slug: "compania-del-sur", name: "Compañía del Sur" },
  { slug: "teatret-nord", name: "Teatret Nord" },
  { slug: "circo-lumiere", name: "Circo Lumière" },
  { slug: "the-marvellous-marvello", name: "The Marvellous Marvello" },
  { slug: "paper-moon-puppets", name: "Paper Moon Puppet Company" },
  { slug: "dino-discovery-live", name: "Dino Discovery Live" },
  { slug: "tejo-fc", name: "Tejo FC" },
  { slug: "ringside-berlin", name: "Ringside Berlin" },
  { slug: "copenhagen-chess-club", name: "Copenhagen Chess Club" },
];

// Pricing helpers, one per venue kind. Zones come from the layout generators.

function theatreTiers(stalls: number, circle: number): TierSpec[] {
  return [
    { name: "Stalls", priceMinor: stalls, zones: ["stalls"] },
    { name: "Circle", priceMinor: circle, zones: ["circle"] },
  ];
}

interface HallPrices {
  stallsCentre: number;
  stallsSides: number;
  balconyCentre: number;
  balconySides: number;
  /** Only when no choir or production uses the gallery behind the stage; otherwise it is not for sale. */
  choir?: number;
}

function hallTiers(prices: HallPrices): TierSpec[] {
  const tiers: TierSpec[] = [
    { name: "Stalls Centre", priceMinor: prices.stallsCentre, zones: ["stalls-centre"] },
    { name: "Stalls Sides", priceMinor: prices.stallsSides, zones: ["stalls-side"] },
    { name: "Balcony Centre", priceMinor: prices.balconyCentre, zones: ["balcony-centre"] },
    { name: "Balcony Sides", priceMinor: prices.balconySides, zones: ["balcony-side"] },
  ];
  if (prices.choir !== undefined) tiers.push({ name: "Choir", priceMinor: prices.choir, zones: ["choir"] });
  return tiers;
}

function stadiumTiers(lowerSideline: number, lowerEnds: number, upperSideline: number, upperEnds: number) {
  return [
    { name: "Lower Sideline", priceMinor: lowerSideline, zones: ["lower-side"] },
    { name: "Lower Ends & Corners", priceMinor: lowerEnds, zones: ["lower-end", "lower-corner"] },
    { name: "Upper Sideline", priceMinor: upperSideline, zones: ["upper-side"] },
    { name: "Upper Ends & Corners", priceMinor: upperEnds, zones: ["upper-end", "upper-corner"] },
  ];
}

/** Events other parts of the project (tests, bench, README) can rely on. */
export const NOTABLE_EVENT_SLUGS = {
  /** Stadium, waiting room on, sale open now. */
  stadiumQueueOnSale: "aurora-vale-northern-lights-lisbon",
  /** Stadium, waiting room on, sale opens two hours after the seed's `now`. */
  stadiumQueueUpcoming: "taca-atlantica-final-lisbon",
  /** Stadium, on sale now, no waiting room. */
  stadiumOnSale: "tejo-fc-vs-minho-atletico-lisbon",
  /** Stadium's Concert chart with the 8,000-place Pitch Standing, on sale now, no waiting room. */
  stadiumStandingOnSale: "neon-meridian-pitch-party-lisbon",
  /** The ~300-seat theatre, on sale now. */
  theatreOnSale: "the-lighthouse-keeper-amsterdam",
  /** The ~2,500-seat hall, on sale now, choir gallery not for sale. */
  hallOnSaleChoirUnpriced: "velvet-static-feedback-tour-berlin",
  /** The ~2,500-seat hall, on sale now, every section for sale. */
  hallOnSaleAllPriced: "spree-chamber-orchestra-beethoven-7-berlin",
  draft: "the-winters-tale-amsterdam",
  ended: "neon-meridian-live-berlin",
  cancelled: "neon-meridian-afterglow-paris",
} as const;

const LIGHTHOUSE_KEEPER =
  "A storm, a stranded ferry and a keeper who has not spoken to anyone in eleven years. Grachten Toneel's " +
  "two-hander is funny, tender and played in English with Dutch surtitles. Running time 1 h 50 min, one interval.";
const NOTHING_TO_DECLARE =
  "Pim de Groot on customs officers, his mother's group chat and why the Dutch cannot stop giving advice. " +
  "Stand-up in English. Age 16+.";
const CASA_DEL_RELOJ =
  "Tres hermanas heredan una casa en la que todos los relojes marcan una hora distinta. Compañía del Sur's " +
  "new comedy of family secrets, in Spanish with English surtitles. 1 h 35 min, no interval.";
const NOCHE_FLAMENCA =
  "Guitar, cajón, four voices and two dancers: Los Caminos bring the late-night tablao to the stage, from " +
  "soleá to their own flamenco-fusion songs.";
const SALT_ROAD =
  "Teatret Nord follows a herring merchant's daughter along the old salt road from Skanør to Lübeck. " +
  "Performed in Danish with English surtitles. 2 h 10 min including one interval.";
const FEEDBACK_TOUR =
  "Velvet Static return with loud guitars, a new album (Feedback) and a light show built for halls. " +
  "Support from local openers. Standing is not available: every ticket is a reserved seat.";
const NEON_MERIDIAN =
  "The electronic duo play their analogue-synth live set, two hours without a break, with visuals by " +
  "Studio Kaleid.";
const QUIET_ROOMS =
  "Lena Hartmann's songs of small rooms and long winters, with a string quartet and a grand piano.";
const OVERTHINKING_IT =
  "Dara Quinn's new hour about insomnia, group holidays and the terrible freedom of a free afternoon. " +
  "In English. Age 14+.";
const CIRCO_LUMIERE =
  "Twelve acrobats, a tightrope over the stalls and a clown who has lost his shadow. A circus show for " +
  "everyone from five years old. 1 h 30 min including an interval.";
const STADIUM_RULES =
  "Gates open two hours before kick-off. Bags larger than A4 are not allowed in the stadium.";

export const EVENTS: readonly EventSpec[] = [
  // Amsterdam, Grachtentheater (theatre)
  {
    slug: NOTABLE_EVENT_SLUGS.theatreOnSale,
    name: "The Lighthouse Keeper",
    performer: "grachten-toneel",
    venue: VENUE_SLUGS.amsterdamTheatre,
    category: "Theatre",
    description: LIGHTHOUSE_KEEPER,
    day: 9,
    tiers: theatreTiers(4500, 2900),
  },
  {
    slug: "the-lighthouse-keeper-amsterdam-matinee",
    name: "The Lighthouse Keeper (Matinee)",
    performer: "grachten-toneel",
    venue: VENUE_SLUGS.amsterdamTheatre,
    category: "Theatre",
    description: LIGHTHOUSE_KEEPER,
    day: 10,
    time: "14:30",
    tiers: theatreTiers(3900, 2500),
  },
  {
    slug: "pim-de-groot-nothing-to-declare-amsterdam-preview",
    name: "Pim de Groot: Nothing to Declare (Preview)",
    performer: "pim-de-groot",
    venue: VENUE_SLUGS.amsterdamTheatre,
    category: "Comedy",
    description: NOTHING_TO_DECLARE,
    day: -12,
    tiers: theatreTiers(2900, 2200),
  },
  {
    slug: "pim-de-groot-nothing-to-declare-amsterdam",
    name: "Pim de Groot: Nothing to Declare",
    performer: "pim-de-groot",
    venue: VENUE_SLUGS.amsterdamTheatre,
    category: "Comedy",
    description: NOTHING_TO_DECLARE,
    day: 24,
    tiers: theatreTiers(3200, 2500),
    feePerTicketMinor: 150,
  },
  {
    slug: "pip-and-the-paper-moon-amsterdam",
    name: "Pip and the Paper Moon",
    performer: "paper-moon-puppets",
    venue: VENUE_SLUGS.amsterdamTheatre,
    category: "Family",
    description:
      "A puppet adventure about a girl who folds a moon out of newspaper and has to return it before morning. " +
      "No words, lots of music; for ages 3 to 8. 50 minutes.",
    day: 16,
    time: "11:00",
    tiers: theatreTiers(1800, 1400),
    maxTicketsPerAccount: 6,
  },
  {
    slug: "amstel-big-band-swing-nights-amsterdam",
    name: "Amstel Big Band: Swing Nights",
    performer: "amstel-big-band",
    venue: VENUE_SLUGS.amsterdamTheatre,
    category: "Concert",
    description:
      "Seventeen musicians, Ellington and Basie classics and new charts by the band's own arrangers. " +
      "The bar stays open during the interval.",
    day: 33,
    sale: { daysFromNow: 5 },
    tiers: theatreTiers(3500, 2700),
  },
  {
    slug: NOTABLE_EVENT_SLUGS.draft,
    name: "The Winter's Tale",
    performer: "grachten-toneel",
    venue: VENUE_SLUGS.amsterdamTheatre,
    category: "Theatre",
    description: "Shakespeare's late romance in a new staging. Cast and running time to be announced.",
    day: 70,
    sale: { daysFromNow: 30 },
    draft: true,
    tiers: theatreTiers(4900, 3200),
  },

  // Madrid, Teatro de la Corrala (theatre)
  {
    slug: "la-casa-del-reloj-madrid",
    name: "La casa del reloj",
    performer: "compania-del-sur",
    venue: VENUE_SLUGS.madridTheatre,
    category: "Theatre",
    description: CASA_DEL_RELOJ,
    day: 6,
    time: "20:30",
    tiers: theatreTiers(3200, 2200),
  },
  {
    slug: "la-casa-del-reloj-madrid-preview",
    name: "La casa del reloj (Preestreno)",
    performer: "compania-del-sur",
    venue: VENUE_SLUGS.madridTheatre,
    category: "Theatre",
    description: CASA_DEL_RELOJ,
    day: -20,
    time: "20:30",
    tiers: theatreTiers(2400, 1800),
  },
  {
    slug: "sofia-marchetti-sin-filtro-madrid",
    name: "Sofía Marchetti: Sin filtro",
    performer: "sofia-marchetti",
    venue: VENUE_SLUGS.madridTheatre,
    category: "Comedy",
    description:
      "An Italian in Madrid explains Spain to the Spanish. Stand-up in Spanish (with a lot of hands). Age 16+.",
    day: 13,
    time: "21:30",
    tiers: theatreTiers(2500, 1800),
  },
  {
    slug: "los-caminos-noche-flamenca-madrid-spring",
    name: "Los Caminos: Noche Flamenca",
    performer: "los-caminos",
    venue: VENUE_SLUGS.madridTheatre,
    category: "Concert",
    description: NOCHE_FLAMENCA,
    day: -5,
    time: "21:00",
    tiers: theatreTiers(3500, 2500),
  },
  {
    slug: "los-caminos-noche-flamenca-madrid",
    name: "Los Caminos: Noche Flamenca",
    performer: "los-caminos",
    venue: VENUE_SLUGS.madridTheatre,
    category: "Concert",
    description: NOCHE_FLAMENCA,
    day: 20,
    time: "21:00",
    tiers: theatreTiers(3500, 2500),
    maxTicketsPerAccount: 6,
  },
  {
    slug: "el-gran-marvello-madrid",
    name: "El Gran Marvello",
    performer: "the-marvellous-marvello",
    venue: VENUE_SLUGS.madridTheatre,
    category: "Family",
    description:
      "Vanishing rabbits, floating grandparents and a finale the children help to perform. A magic show " +
      "in Spanish and English for ages 5 and up.",
    day: 27,
    time: "12:00",
    tiers: theatreTiers(1600, 1200),
  },

  // Copenhagen, Fælledteatret (theatre, priced in DKK)
  {
    slug: "jonas-brix-helt-aerligt-copenhagen",
    name: "Jonas Brix: Helt ærligt",
    performer: "jonas-brix",
    venue: VENUE_SLUGS.copenhagenTheatre,
    category: "Comedy",
    description:
      "Jonas Brix's fourth solo show: honesty, IKEA manuals and his father's sailing boat. In Danish.",
    day: 8,
    currency: "DKK",
    tiers: theatreTiers(32_500, 24_500),
  },
  {
    slug: "grandmaster-blitz-night-copenhagen",
    name: "Grandmaster Blitz Night",
    performer: "copenhagen-chess-club",
    venue: VENUE_SLUGS.copenhagenTheatre,
    category: "Sports",
    description:
      "Eight grandmasters, three-minute games, a knockout bracket and live commentary on the big screen. " +
      "Bring your own opinions on the Sicilian.",
    day: 15,
    time: "19:00",
    currency: "DKK",
    tiers: theatreTiers(19_500, 14_500),
    independent: true,
  },
  {
    slug: "the-salt-road-copenhagen",
    name: "The Salt Road",
    performer: "teatret-nord",
    venue: VENUE_SLUGS.copenhagenTheatre,
    category: "Theatre",
    description: SALT_ROAD,
    day: 22,
    currency: "DKK",
    tiers: theatreTiers(39_500, 27_500),
  },
  {
    slug: "the-salt-road-copenhagen-premiere",
    name: "The Salt Road (Premiere)",
    performer: "teatret-nord",
    venue: VENUE_SLUGS.copenhagenTheatre,
    category: "Theatre",
    description: SALT_ROAD,
    day: -8,
    currency: "DKK",
    tiers: theatreTiers(49_500, 34_500),
  },
  {
    slug: "kasper-lund-quartet-copenhagen",
    name: "Kasper Lund Quartet: Nordic Standards",
    performer: "kasper-lund-quartet",
    venue: VENUE_SLUGS.copenhagenTheatre,
    category: "Concert",
    description: "Piano, bass, drums and flugelhorn: Danish folk songs reharmonised as jazz standards.",
    day: 40,
    sale: { daysFromNow: 7 },
    currency: "DKK",
    tiers: theatreTiers(34_500, 26_500),
  },
  {
    slug: "the-snow-queen-copenhagen",
    name: "The Snow Queen",
    performer: "paper-moon-puppets",
    venue: VENUE_SLUGS.copenhagenTheatre,
    category: "Family",
    description: "Andersen's fairy tale with shadow puppets and live cello. For ages 4 and up; 60 minutes.",
    day: 45,
    time: "15:00",
    sale: { daysFromNow: 10 },
    currency: "DKK",
    tiers: theatreTiers(15_000, 11_000),
    maxTicketsPerAccount: 6,
  },

  // Berlin, Halle am Spreeufer (hall)
  {
    slug: NOTABLE_EVENT_SLUGS.hallOnSaleChoirUnpriced,
    name: "Velvet Static: Feedback Tour",
    performer: "velvet-static",
    venue: VENUE_SLUGS.berlinHall,
    category: "Concert",
    description: FEEDBACK_TOUR,
    day: 11,
    tiers: hallTiers({ stallsCentre: 6900, stallsSides: 5900, balconyCentre: 4900, balconySides: 3900 }),
    maxTicketsPerAccount: 6,
    feePerTicketMinor: 250,
  },
  {
    slug: NOTABLE_EVENT_SLUGS.ended,
    name: "Neon Meridian Live",
    performer: "neon-meridian",
    venue: VENUE_SLUGS.berlinHall,
    category: "Concert",
    description: NEON_MERIDIAN,
    day: -3,
    time: "21:00",
    tiers: hallTiers({ stallsCentre: 5500, stallsSides: 4900, balconyCentre: 3900, balconySides: 3500 }),
    feePerTicketMinor: 200,
  },
  {
    slug: NOTABLE_EVENT_SLUGS.hallOnSaleAllPriced,
    name: "Spree Chamber Orchestra: Beethoven's Seventh",
    performer: "spree-chamber-orchestra",
    venue: VENUE_SLUGS.berlinHall,
    category: "Classical",
    description:
      "Beethoven's Symphony No. 7 and Mendelssohn's Violin Concerto with soloist Ilse Brandauer. " +
      "Pre-concert talk in the foyer at 19:00.",
    day: 18,
    time: "20:00",
    tiers: hallTiers({
      stallsCentre: 7500,
      stallsSides: 5900,
      balconyCentre: 4500,
      balconySides: 3500,
      choir: 2500,
    }),
  },
  {
    slug: "ringside-berlin-fight-night",
    name: "Ringside Berlin: Fight Night",
    performer: "ringside-berlin",
    venue: VENUE_SLUGS.berlinHall,
    category: "Sports",
    description:
      "Ten bouts of professional boxing, headlined by a European super-middleweight title fight. The ring " +
      "stands on the stage; doors open at 18:00.",
    day: 26,
    time: "19:00",
    tiers: hallTiers({ stallsCentre: 9900, stallsSides: 7900, balconyCentre: 5900, balconySides: 4500 }),
    maxTicketsPerAccount: 6,
    feePerTicketMinor: 300,
    independent: true,
  },
  {
    slug: "dara-quinn-overthinking-it-berlin",
    name: "Dara Quinn: Overthinking It",
    performer: "dara-quinn",
    venue: VENUE_SLUGS.berlinHall,
    category: "Comedy",
    description: OVERTHINKING_IT,
    day: 35,
    sale: { daysFromNow: 4 },
    tiers: hallTiers({ stallsCentre: 4500, stallsSides: 3900, balconyCentre: 3500, balconySides: 2900 }),
  },
  {
    slug: "lena-hartmann-quiet-rooms-berlin",
    name: "Lena Hartmann: Quiet Rooms",
    performer: "lena-hartmann",
    venue: VENUE_SLUGS.berlinHall,
    category: "Concert",
    description: QUIET_ROOMS,
    day: 52,
    sale: { daysFromNow: 12 },
    tiers: hallTiers({ stallsCentre: 5900, stallsSides: 4900, balconyCentre: 3900, balconySides: 3200 }),
  },
  {
    slug: "spree-chamber-orchestra-brahms-requiem-berlin",
    name: "Spree Chamber Orchestra: A German Requiem",
    performer: "spree-chamber-orchestra",
    venue: VENUE_SLUGS.berlinHall,
    category: "Classical",
    description: "Brahms's Ein deutsches Requiem with the Spreeufer Festival Choir.",
    day: -15,
    // The choir sings from the gallery behind the stage, so it is not sold.
    tiers: hallTiers({ stallsCentre: 6900, stallsSides: 5500, balconyCentre: 4500, balconySides: 3500 }),
  },

  // Paris, Salle Pelleport (hall)
  {
    slug: "orchestre-de-belleville-ravel-debussy-paris",
    name: "Orchestre de Belleville: Ravel & Debussy",
    performer: "orchestre-de-belleville",
    venue: VENUE_SLUGS.parisHall,
    category: "Classical",
    description: "La Mer, Ma mère l'Oye and Boléro, conducted by Amélie Roussel.",
    day: 14,
    tiers: hallTiers({
      stallsCentre: 6500,
      stallsSides: 5200,
      balconyCentre: 3900,
      balconySides: 2900,
      choir: 1900,
    }),
  },
  {
    slug: "the-harbour-lights-paris",
    name: "The Harbour Lights",
    performer: "the-harbour-lights",
    venue: VENUE_SLUGS.parisHall,
    category: "Concert",
    description:
      "The Glasgow indie band's first Paris headline show, with songs from their album Low Tide Radio.",
    day: 7,
    tiers: hallTiers({ stallsCentre: 4900, stallsSides: 4500, balconyCentre: 3900, balconySides: 3500 }),
    maxTicketsPerAccount: 6,
    feePerTicketMinor: 200,
  },
  {
    slug: "dino-discovery-live-paris",
    name: "Dino Discovery Live",
    performer: "dino-discovery-live",
    venue: VENUE_SLUGS.parisHall,
    category: "Family",
    description:
      "Life-size walking dinosaurs, a palaeontologist who answers every question and a baby T. rex that " +
      "needs a name. In French. 70 minutes, for ages 3 and up.",
    day: 21,
    time: "14:00",
    tiers: hallTiers({ stallsCentre: 3500, stallsSides: 2900, balconyCentre: 2500, balconySides: 1900 }),
  },
  {
    slug: "velvet-static-feedback-tour-paris",
    name: "Velvet Static: Feedback Tour",
    performer: "velvet-static",
    venue: VENUE_SLUGS.parisHall,
    category: "Concert",
    description: FEEDBACK_TOUR,
    day: 13,
    tiers: hallTiers({ stallsCentre: 6500, stallsSides: 5900, balconyCentre: 4900, balconySides: 3900 }),
    maxTicketsPerAccount: 6,
    feePerTicketMinor: 250,
  },
  {
    slug: "hugo-lefevre-presque-serieux-paris",
    name: "Hugo Lefèvre: Presque sérieux",
    performer: "hugo-lefevre",
    venue: VENUE_SLUGS.parisHall,
    category: "Comedy",
    description: "Hugo Lefèvre's stand-up about the suburbs, the RER B and being almost thirty. In French.",
    day: 30,
    tiers: hallTiers({ stallsCentre: 3900, stallsSides: 3500, balconyCentre: 2900, balconySides: 2500 }),
  },
  {
    slug: "mira-castellano-paris",
    name: "Mira Castellano: Saudade em Paris",
    performer: "mira-castellano",
    venue: VENUE_SLUGS.parisHall,
    category: "Concert",
    description: "Fado with Portuguese guitar, viola and double bass, from Amália classics to new songs.",
    day: -25,
    tiers: hallTiers({ stallsCentre: 5500, stallsSides: 4900, balconyCentre: 3900, balconySides: 2900 }),
  },
  {
    slug: NOTABLE_EVENT_SLUGS.cancelled,
    name: "Neon Meridian: Afterglow",
    performer: "neon-meridian",
    venue: VENUE_SLUGS.parisHall,
    category: "Concert",
    description: `${NEON_MERIDIAN} Cancelled: tickets have been refunded.`,
    day: 19,
    time: "21:00",
    cancelled: true,
    tiers: hallTiers({ stallsCentre: 5500, stallsSides: 4900, balconyCentre: 3900, balconySides: 3500 }),
  },

  // Vienna, Donaukanal Halle (hall)
  {
    slug: "donau-philharmonie-new-world-vienna",
    name: "Donau Philharmonie: From the New World",
    performer: "donau-philharmonie",
    venue: VENUE_SLUGS.viennaHall,
    category: "Classical",
    description: "Dvořák's Symphony No. 9 and his Cello Concerto with soloist Tomasz Wierzbicki.",
    day: 10,
    time: "19:30",
    tiers: hallTiers({
      stallsCentre: 8900,
      stallsSides: 6900,
      balconyCentre: 5500,
      balconySides: 3900,
      choir: 2900,
    }),
  },
  {
    slug: "donau-philharmonie-mahler-5-vienna",
    name: "Donau Philharmonie: Mahler 5",
    performer: "donau-philharmonie",
    venue: VENUE_SLUGS.viennaHall,
    category: "Classical",
    description: "Mahler's Fifth Symphony, from the funeral march to the Adagietto and the jubilant finale.",
    day: 38,
    time: "19:30",
    sale: { daysFromNow: 6 },
    tiers: hallTiers({
      stallsCentre: 9500,
      stallsSides: 7500,
      balconyCentre: 5900,
      balconySides: 4500,
      choir: 3200,
    }),
  },
  {
    slug: "clara-weiss-piano-recital-vienna",
    name: "Clara Weiss: Schubert & Schumann",
    performer: "clara-weiss",
    venue: VENUE_SLUGS.viennaHall,
    category: "Classical",
    description: "Schubert's last sonata (D 960) and Schumann's Kinderszenen and Kreisleriana.",
    day: 17,
    tiers: hallTiers({
      stallsCentre: 5900,
      stallsSides: 4900,
      balconyCentre: 3900,
      balconySides: 2900,
      choir: 1900,
    }),
  },
  {
    slug: "velvet-static-feedback-tour-vienna",
    name: "Velvet Static: Feedback Tour",
    performer: "velvet-static",
    venue: VENUE_SLUGS.viennaHall,
    category: "Concert",
    description: FEEDBACK_TOUR,
    day: 15,
    tiers: hallTiers({ stallsCentre: 6900, stallsSides: 5900, balconyCentre: 4900, balconySides: 3900 }),
    maxTicketsPerAccount: 6,
    feePerTicketMinor: 250,
  },
  {
    slug: "the-wandering-owls-vienna",
    name: "The Wandering Owls",
    performer: "the-wandering-owls",
    venue: VENUE_SLUGS.viennaHall,
    category: "Concert",
    description: "Five-part harmonies, banjo and accordion: the folk band's farewell-to-summer show.",
    day: -9,
    tiers: hallTiers({ stallsCentre: 3900, stallsSides: 3500, balconyCentre: 2900, balconySides: 2500 }),
  },
  {
    slug: "circo-lumiere-vienna",
    name: "Circo Lumière",
    performer: "circo-lumiere",
    venue: VENUE_SLUGS.viennaHall,
    category: "Family",
    description: CIRCO_LUMIERE,
    day: 28,
    time: "15:00",
    tiers: hallTiers({ stallsCentre: 4200, stallsSides: 3600, balconyCentre: 2900, balconySides: 2400 }),
    maxTicketsPerAccount: 8,
  },
  {
    slug: "lena-hartmann-quiet-rooms-vienna",
    name: "Lena Hartmann: Quiet Rooms",
    performer: "lena-hartmann",
    venue: VENUE_SLUGS.viennaHall,
    category: "Concert",
    description: QUIET_ROOMS,
    day: 80,
    sale: { daysFromNow: 40 },
    draft: true,
    tiers: hallTiers({ stallsCentre: 5900, stallsSides: 4900, balconyCentre: 3900, balconySides: 3200 }),
  },

  // Lisbon, Estádio do Tejo (stadium)
  {
    slug: "tejo-fc-vs-sporting-ribeira-lisbon",
    name: "Tejo FC vs. Sporting Ribeira",
    performer: "tejo-fc",
    venue: VENUE_SLUGS.lisbonStadium,
    category: "Sports",
    description: `League match, matchday 11. ${STADIUM_RULES}`,
    day: -6,
    time: "20:45",
    tiers: stadiumTiers(4500, 3500, 2900, 1900),
    independent: true,
  },
  {
    slug: NOTABLE_EVENT_SLUGS.stadiumOnSale,
    name: "Tejo FC vs. Minho Atlético",
    performer: "tejo-fc",
    venue: VENUE_SLUGS.lisbonStadium,
    category: "Sports",
    description: `League match, matchday 14. ${STADIUM_RULES}`,
    day: 12,
    time: "20:45",
    tiers: stadiumTiers(5500, 3900, 3200, 2200),
    maxTicketsPerAccount: 6,
    feePerTicketMinor: 150,
    independent: true,
  },
  {
    slug: NOTABLE_EVENT_SLUGS.stadiumStandingOnSale,
    name: "Neon Meridian: Pitch Party",
    performer: "neon-meridian",
    venue: VENUE_SLUGS.lisbonStadium,
    category: "Concert",
    description:
      "Neon Meridian bring the festival stage to the stadium: standing on the pitch in front of the stage, " +
      "numbered seats all around. Standing tickets are general admission: no place of your own, come early " +
      "for the front.",
    day: 24,
    time: "20:30",
    chart: "Concert",
    // The lower ring only: the upper one stays closed for this show (and the seed small).
    tiers: [
      { name: "Pitch Standing", priceMinor: 6900, zones: ["standing"] },
      { name: "Lower Sideline", priceMinor: 7900, zones: ["lower-side"] },
      { name: "Lower Ends & Corners", priceMinor: 5900, zones: ["lower-end", "lower-corner"] },
    ],
    maxTicketsPerAccount: 8,
    feePerTicketMinor: 250,
  },
  {
    slug: NOTABLE_EVENT_SLUGS.stadiumQueueOnSale,
    name: "Aurora Vale: Northern Lights Tour",
    performer: "aurora-vale",
    venue: VENUE_SLUGS.lisbonStadium,
    category: "Concert",
    description:
      "Aurora Vale's only Portuguese date of the Northern Lights stadium tour, with a stage in the middle of " +
      "the field and a two-and-a-half-hour set. High demand expected: tickets are sold through the waiting " +
      "room, at most four per account.",
    day: 31,
    time: "21:00",
    tiers: stadiumTiers(12_900, 8900, 6900, 4900),
    maxTicketsPerAccount: 4,
    feePerTicketMinor: 350,
    queue: { admissionRatePerMinute: 300, maxActiveShoppers: 2000 },
  },
  {
    slug: NOTABLE_EVENT_SLUGS.stadiumQueueUpcoming,
    name: "Taça Atlântica Final: Tejo FC vs. Porto Norte",
    performer: "tejo-fc",
    venue: VENUE_SLUGS.lisbonStadium,
    category: "Sports",
    description:
      "The cup final. The waiting room opens before the sale: everyone who joins before it starts gets a " +
      `random place in line, so there is no need to arrive early. ${STADIUM_RULES}`,
    day: 45,
    time: "20:00",
    sale: { hoursFromNow: 2 },
    tiers: stadiumTiers(14_900, 9900, 7900, 4900),
    maxTicketsPerAccount: 4,
    feePerTicketMinor: 250,
    queue: { admissionRatePerMinute: 300 },
  },
];

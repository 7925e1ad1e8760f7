// The seeded venues: invented names at plausible addresses, their charts described by venue-charts.ts.
import { hallCharts, stadiumCharts, theatreCharts, type VenueCharts } from "./venue-charts.js";

export type VenueKind = "theatre" | "hall" | "stadium";

export interface VenueSpec {
  slug: string;
  name: string;
  city: string;
  address: string;
  timezone: string;
  kind: VenueKind;
  /** The venue's stage and charts ("Main" first: the chart the seeded events sell). */
  charts: () => VenueCharts;
}

export const VENUE_SLUGS = {
  amsterdamTheatre: "grachtentheater-amsterdam",
  madridTheatre: "teatro-de-la-corrala-madrid",
  copenhagenTheatre: "faelledteatret-copenhagen",
  berlinHall: "halle-am-spreeufer-berlin",
  parisHall: "salle-pelleport-paris",
  viennaHall: "donaukanal-halle-vienna",
  lisbonStadium: "estadio-do-tejo-lisbon",
} as const;

export const VENUES: readonly VenueSpec[] = [
  {
    slug: VENUE_SLUGS.amsterdamTheatre,
    name: "Grachtentheater",
    city: "Amsterdam",
    address: "Keizersgracht 324, 1016 EZ Amsterdam, Netherlands",
    timezone: "Europe/Amsterdam",
    kind: "theatre",
    // The reference ~300-seat theatre.
    charts: () => theatreCharts(),
  },
  {
    slug: VENUE_SLUGS.madridTheatre,
    name: "Teatro de la Corrala",
    city: "Madrid",
    address: "Calle de Argumosa 28, 28012 Madrid, Spain",
    timezone: "Europe/Madrid",
    kind: "theatre",
    charts: () =>
      theatreCharts({ stallsRows: 14, stallsFrontRowSeats: 14, circleRows: 2, circleFrontRowSeats: 20 }),
  },
  {
    slug: VENUE_SLUGS.copenhagenTheatre,
    name: "Fælledteatret",
    city: "Copenhagen",
    address: "Fælledvej 17, 2200 København N, Denmark",
    timezone: "Europe/Copenhagen",
    kind: "theatre",
    charts: () =>
      theatreCharts({ stallsRows: 10, stallsFrontRowSeats: 18, circleRows: 3, circleFrontRowSeats: 20 }),
  },
  {
    slug: VENUE_SLUGS.berlinHall,
    name: "Halle am Spreeufer",
    city: "Berlin",
    address: "Mühlenstraße 78, 10243 Berlin, Germany",
    timezone: "Europe/Berlin",
    kind: "hall",
    // The reference ~2,500-seat hall; its "Standing Floor" chart has a standing area for the stalls.
    charts: () => hallCharts(undefined, { capacity: 1_500 }),
  },
  {
    slug: VENUE_SLUGS.parisHall,
    name: "Salle Pelleport",
    city: "Paris",
    address: "112 Rue Pelleport, 75020 Paris, France",
    timezone: "Europe/Paris",
    kind: "hall",
    charts: () => hallCharts({ stallsRows: 24, balconyRows: 8, halfSpanDegrees: 36, choirRows: 3 }),
  },
  {
    slug: VENUE_SLUGS.viennaHall,
    name: "Donaukanal Halle",
    city: "Vienna",
    address: "Obere Donaustraße 61, 1020 Wien, Austria",
    timezone: "Europe/Vienna",
    kind: "hall",
    charts: () => hallCharts({ stallsRows: 30, balconyRows: 10, halfSpanDegrees: 31, choirRows: 5 }),
  },
  {
    slug: VENUE_SLUGS.lisbonStadium,
    name: "Estádio do Tejo",
    city: "Lisbon",
    address: "Avenida Infante Dom Henrique 300, 1950-421 Lisboa, Portugal",
    timezone: "Europe/Lisbon",
    kind: "stadium",
    // "Main" for football; "Concert" adds a standing area on the pitch.
    charts: () => stadiumCharts(),
  },
];

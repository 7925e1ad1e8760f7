import { createPrivateKey, type KeyObject, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { minorUnitDigits, type PrintedOrder, type PrintedTicket, placeLabel } from "./order-pdf.js";

// Google Wallet "save to wallet" links: a JWT signed (RS256) with a Google Cloud service account's key,
// carrying the event's ticket class and the ticket's object; Google creates both when the fan saves
// (https://developers.google.com/wallet/tickets/events). The barcode is the ticket's static code, like
// the PDF's and the Apple pass's.

export interface GoogleWalletConfig {
  /** The Google Wallet issuer id (a number, as a string). */
  issuerId: string;
  /** The service account's JSON key file (client_email, private_key). */
  serviceAccountFile: string;
  issuerName: string;
  /** Origins allowed to show the save button (the web app). */
  origins: string[];
}

const serviceAccount = z.object({ client_email: z.string().email(), private_key: z.string() });

const SAVE_URL = "https://pay.google.com/gp/v/save/";

export class GoogleWallet {
  private readonly clientEmail: string;
  private readonly key: KeyObject;

  /** Reads the service account's key once, at boot: a missing or malformed file stops the boot. */
  constructor(private readonly config: GoogleWalletConfig) {
    const account = serviceAccount.parse(JSON.parse(readFileSync(config.serviceAccountFile, "utf8")));
    this.clientEmail = account.client_email;
    this.key = createPrivateKey(account.private_key);
  }

  /** The link that adds one ticket to the fan's Google Wallet. */
  saveUrl(order: PrintedOrder, ticket: PrintedTicket & { staticCode: string }, now = new Date()): string {
    const { issuerId } = this.config;
    const classId = `${issuerId}.frontrow-event-${order.eventId}`;
    const text = (value: string) => ({ defaultValue: { language: "en", value } });
    const claims = {
      iss: this.clientEmail,
      aud: "google",
      typ: "savetowallet",
      iat: Math.floor(now.getTime() / 1000),
      origins: this.config.origins,
      payload: {
        eventTicketClasses: [
          {
            id: classId,
            issuerName: this.config.issuerName,
            reviewStatus: "UNDER_REVIEW",
            eventName: text(order.eventName),
            venue: {
              name: text(`${order.venueName}, ${order.venueCity}`),
              address: text(order.venueAddress),
            },
            dateTime: { start: order.startsAt.toISOString() },
          },
        ],
        eventTicketObjects: [
          {
            id: `${issuerId}.${ticket.id}`,
            classId,
            state: "ACTIVE",
            ticketNumber: ticket.id,
            barcode: { type: "QR_CODE", value: ticket.staticCode },
            faceValue: {
              micros: ticket.price.amount * 10 ** (6 - minorUnitDigits(ticket.price.currency)),
              currencyCode: ticket.price.currency,
            },
            seatInfo: ticket.seat
              ? {
                  section: text(ticket.seat.section),
                  row: text(ticket.seat.row),
                  seat: text(String(ticket.seat.number)),
                }
              : { section: text(placeLabel(ticket)) },
          },
        ],
      },
    };
    return SAVE_URL + signJwt(claims, this.key);
  }
}

/** A compact JWS (RS256) of the claims. */
function signJwt(claims: object, key: KeyObject): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString("base64url");
  const unsigned = `${encode({ alg: "RS256", typ: "JWT" })}.${encode(claims)}`;
  return `${unsigned}.${sign("RSA-SHA256", Buffer.from(unsigned), key).toString("base64url")}`;
}

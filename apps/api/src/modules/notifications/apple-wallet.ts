import { readFileSync } from "node:fs";
import { PKPass } from "passkit-generator";
import {
  formatPrice,
  formatShowTime,
  type PrintedOrder,
  type PrintedTicket,
  placeLabel,
} from "./order-pdf.js";

// Apple Wallet passes (.pkpass) of printed tickets, made and signed with passkit-generator. The pass's
// barcode is the ticket's static code (a pass cannot rotate its code without Apple's push service), so
// it obeys the same rules as the PDF: refused at the gate once the organizer turns static codes off.

/** What signing passes needs (docs/orders.md, "Wallet"): every value is required. */
export interface AppleWalletConfig {
  /** PEM files: the pass type certificate, its private key, and Apple's WWDR intermediate certificate. */
  certFile: string;
  keyFile: string;
  wwdrFile: string;
  keyPassphrase?: string;
  passTypeId: string;
  teamId: string;
  organizationName: string;
}

// Wallet requires an icon; a plain one in Frontrow's colour (29 and 58 px PNGs).
const ICON = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAB0AAAAdCAIAAADZ8fBYAAAALElEQVR42mOIVtxGC8Qwau6ouQNp7n+iwai5o+aOmjtq7uA2d7RcHzWXiggAattM+syt/AoAAAAASUVORK5CYII=",
  "base64",
);
const ICON_2X = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAADoAAAA6CAIAAABu2d1/AAAATUlEQVR42u3YQQ0AQAgDQaygC59n71DBo8k0K2DerekXVOHi4uLi4uLi4kZx/81wcXFxcXFxcXFxcXFxcXFxcXFxPZC4uLi4uLi4uCkt4FSaJ2ixvXYAAAAASUVORK5CYII=",
  "base64",
);

export class AppleWallet {
  private readonly certificates: {
    wwdr: Buffer;
    signerCert: Buffer;
    signerKey: Buffer;
    signerKeyPassphrase?: string;
  };

  /** Reads the certificate files once, at boot: a missing file stops the boot with its name. */
  constructor(private readonly config: AppleWalletConfig) {
    this.certificates = {
      wwdr: readFileSync(config.wwdrFile),
      signerCert: readFileSync(config.certFile),
      signerKey: readFileSync(config.keyFile),
      ...(config.keyPassphrase ? { signerKeyPassphrase: config.keyPassphrase } : {}),
    };
  }

  /** The signed .pkpass (a zip: pass.json, icons, manifest.json, signature) of one ticket. */
  pass(order: PrintedOrder, ticket: PrintedTicket & { staticCode: string }): Buffer {
    const pass = new PKPass({ "icon.png": ICON, "icon@2x.png": ICON_2X }, this.certificates, {
      formatVersion: 1,
      passTypeIdentifier: this.config.passTypeId,
      teamIdentifier: this.config.teamId,
      organizationName: this.config.organizationName,
      serialNumber: ticket.id,
      description: `Ticket for ${order.eventName}`,
      backgroundColor: "rgb(91, 33, 182)",
      foregroundColor: "rgb(255, 255, 255)",
      labelColor: "rgb(221, 214, 254)",
    });
    pass.type = "eventTicket";
    pass.primaryFields.push({ key: "event", label: "Event", value: order.eventName });
    pass.secondaryFields.push(
      { key: "date", label: "Date", value: formatShowTime(order.startsAt, order.timezone) },
      { key: "place", label: "Place", value: placeLabel(ticket) },
    );
    pass.auxiliaryFields.push(
      { key: "venue", label: "Venue", value: `${order.venueName}, ${order.venueCity}` },
      { key: "price", label: "Price", value: formatPrice(ticket.price) },
    );
    pass.backFields.push(
      { key: "order", label: "Order", value: order.orderId },
      {
        key: "codes",
        label: "Entry",
        value:
          "This pass carries the ticket's printed code. The organizer can turn printed codes off: the " +
          "live ticket in the Frontrow app always works.",
      },
    );
    pass.setBarcodes({
      message: ticket.staticCode,
      format: "PKBarcodeFormatQR",
      messageEncoding: "iso-8859-1",
    });
    pass.setRelevantDate(order.startsAt);
    return pass.getAsBuffer();
  }
}

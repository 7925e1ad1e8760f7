import QRCode from "qrcode";
import { useMemo } from "react";

// The blank border scanners need around the code, in modules.
const QUIET_ZONE = 2;

/**
 * A ticket code as a QR code. The `qrcode` package encodes it (medium error correction survives a
 * scratched phone screen); the modules are drawn as one SVG path, synchronously, so a rotated code
 * replaces the old one in the same frame.
 */
export function TicketQr({ code, label }: { code: string; label: string }) {
  const { size, path } = useMemo(() => {
    const { modules } = QRCode.create(code, { errorCorrectionLevel: "M" });
    let darkModules = "";
    for (let row = 0; row < modules.size; row++) {
      for (let column = 0; column < modules.size; column++) {
        if (modules.get(row, column)) darkModules += `M${column + QUIET_ZONE} ${row + QUIET_ZONE}h1v1h-1z`;
      }
    }
    return { size: modules.size + 2 * QUIET_ZONE, path: darkModules };
  }, [code]);
  return (
    <svg
      viewBox={`0 0 ${size} ${size}`}
      role="img"
      aria-label={label}
      shapeRendering="crispEdges"
      data-ticket-qr={code}
    >
      <rect width={size} height={size} fill="#fff" />
      <path d={path} fill="#111827" />
    </svg>
  );
}

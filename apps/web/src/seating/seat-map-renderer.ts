import type { SeatLayout } from "./seat-layout";
import { MAP_BACKGROUND, type SeatMark } from "./seat-marks";
import { findNearestSeat, forEachSeatInRect } from "./spatial-grid";

/** Which colour each seat is painted in: `colourOfSeat[seat]` indexes `colours` (and `marks`, its shape). */
export interface SeatPaint {
  colours: readonly string[];
  /** The shape of each colour's seats; a filled disc when missing. */
  marks?: readonly SeatMark[];
  colourOfSeat: Uint8Array;
}

const THEME = {
  background: MAP_BACKGROUND,
  stage: "#334155",
  // Standing areas: a translucent fill over the field, a solid edge (non-text contrast ≥ 3:1).
  area: "rgba(22, 163, 74, 0.28)",
  areaEdge: "#15803d",
  areaSoldOut: "rgba(100, 116, 139, 0.3)",
  areaText: "#14532d",
  stageText: "#f1f5f9",
  label: "#1e293b",
  labelHalo: "rgba(255, 255, 255, 0.9)",
  hoverRing: "#111827",
  // Two rings, dark outside and white inside, so the keyboard focus shows on any seat colour.
  focusRing: "#1d4ed8",
  focusInner: "#ffffff",
  selectedFill: "#111827",
  selectedRing: "#ffffff",
  flaggedRing: "#dc2626",
};
const LABEL_FONT = "650 12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
const FIT_PADDING_PX = 20;
// The overview cache trades memory for smooth panning; 8 megapixels is about 32 MB.
const MAX_CACHE_PIXELS = 8_000_000;
const MAX_CACHE_SIDE = 4096;
// Below this on-screen size a circle and a square look alike, and squares draw several times faster.
const CIRCLE_MIN_DEVICE_PX = 6;
const MAX_SEAT_CSS_PX = 56;
// Moving the keyboard focus zooms in to at least this seat size, and keeps the seat this far from the edge.
const COMFORTABLE_SEAT_CSS_PX = 18;
const REVEAL_MARGIN_PX = 48;

/** A standing area as the map draws it. */
export interface MapArea {
  outline: readonly number[] | null;
  available: number;
  label: string;
}

/**
 * Draws a seat map on a canvas. Seats are filled as one path per colour. When zoomed out, the seats come
 * from a pre-rendered bitmap of the whole venue (redrawn only when statuses change), so panning and zooming
 * cost one image copy; zoomed in, only the seats on screen are drawn, found through the spatial grid.
 * Frames are drawn on requestAnimationFrame and only after something changed.
 */
export class SeatMapRenderer {
  private readonly context: CanvasRenderingContext2D;
  private paint: SeatPaint | null = null;
  private paintVersion = 0;
  private paintOrder = new Uint32Array(0);
  private paintStart = new Uint32Array(0);
  private readonly visibleSeats: Uint32Array;
  private readonly visibleOrder: Uint32Array;
  private cache: HTMLCanvasElement | null = null;
  private cacheScale = 0;
  private cacheIsCurrent = false;
  private scale = 1;
  private offsetX = 0;
  private offsetY = 0;
  private fitScale = 1;
  private width = 0;
  private height = 0;
  private pixelRatio = 1;
  private hasFitted = false;
  private hoveredSeat = -1;
  private focusedSeat = -1;
  private selectedSeats: readonly number[] = [];
  private flaggedSeats: readonly number[] = [];
  private frameRequest = 0;
  private areas: readonly MapArea[] = [];

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly layout: SeatLayout,
  ) {
    const context = canvas.getContext("2d", { alpha: false });
    if (!context) throw new Error("This browser cannot draw on a canvas.");
    this.context = context;
    this.visibleSeats = new Uint32Array(layout.seatCount);
    this.visibleOrder = new Uint32Array(layout.seatCount);
  }

  destroy(): void {
    cancelAnimationFrame(this.frameRequest);
    this.frameRequest = 0;
    this.cache = null;
  }

  /** New colours (statuses changed, or tiers): regroups seats by colour and redraws the overview cache. */
  setPaint(paint: SeatPaint, statusVersion: number): void {
    const colourCount = paint.colours.length;
    const start = new Uint32Array(colourCount + 1);
    for (let seat = 0; seat < this.layout.seatCount; seat++) {
      const colour = paint.colourOfSeat[seat] ?? 0;
      start[colour + 1] = (start[colour + 1] ?? 0) + 1;
    }
    for (let colour = 0; colour < colourCount; colour++) {
      start[colour + 1] = (start[colour + 1] ?? 0) + (start[colour] ?? 0);
    }
    const fill = start.slice(0, colourCount);
    const order = new Uint32Array(this.layout.seatCount);
    for (let seat = 0; seat < this.layout.seatCount; seat++) {
      const colour = paint.colourOfSeat[seat] ?? 0;
      const slot = fill[colour] ?? 0;
      order[slot] = seat;
      fill[colour] = slot + 1;
    }
    this.paint = paint;
    this.paintVersion = statusVersion;
    this.paintOrder = order;
    this.paintStart = start;
    this.cacheIsCurrent = false;
    this.requestDraw();
  }

  /** The standing areas to draw (outlines in layout coordinates) with their labels. */
  setAreas(areas: readonly MapArea[]): void {
    this.areas = areas;
    this.requestDraw();
  }

  setHoveredSeat(seat: number): void {
    if (seat === this.hoveredSeat) return;
    this.hoveredSeat = seat;
    this.requestDraw();
  }

  /** The seat the keyboard is on, drawn with a focus ring (-1: none). */
  setFocusedSeat(seat: number): void {
    if (seat === this.focusedSeat) return;
    this.focusedSeat = seat;
    this.requestDraw();
  }

  /** Zooms in until seats are big enough to tell apart, and pans when the seat is near the edge. */
  revealSeat(seat: number): void {
    if (this.width === 0) return;
    const comfortableScale = COMFORTABLE_SEAT_CSS_PX / this.layout.seatSize;
    if (this.scale < comfortableScale) {
      this.scale = Math.min(comfortableScale, this.maxScale());
      this.centreOn(this.layout.x[seat] ?? 0, this.layout.y[seat] ?? 0);
      return;
    }
    const { x, y } = this.seatPosition(seat);
    const margin = Math.min(REVEAL_MARGIN_PX, this.width / 4, this.height / 4);
    if (x < margin || y < margin || x > this.width - margin || y > this.height - margin) {
      this.centreOn(this.layout.x[seat] ?? 0, this.layout.y[seat] ?? 0);
    }
  }

  /** Moves and zooms so that these seats fill the view (e.g. the ones just held). */
  showSeats(seats: readonly number[]): void {
    if (seats.length === 0 || this.width === 0) return;
    const { x, y, seatSize } = this.layout;
    const xs = seats.map((seat) => x[seat] ?? 0);
    const ys = seats.map((seat) => y[seat] ?? 0);
    const minX = Math.min(...xs) - seatSize * 4;
    const maxX = Math.max(...xs) + seatSize * 4;
    const minY = Math.min(...ys) - seatSize * 4;
    const maxY = Math.max(...ys) + seatSize * 4;
    this.scale = Math.max(
      this.fitScale,
      Math.min(this.maxScale(), this.width / (maxX - minX), this.height / (maxY - minY)),
    );
    this.centreOn((minX + maxX) / 2, (minY + maxY) / 2);
  }

  private maxScale(): number {
    return Math.max(this.fitScale * 4, MAX_SEAT_CSS_PX / this.layout.seatSize);
  }

  private centreOn(worldX: number, worldY: number): void {
    this.offsetX = this.width / 2 - worldX * this.scale;
    this.offsetY = this.height / 2 - worldY * this.scale;
    this.clampView();
    this.requestDraw();
  }

  setSelectedSeats(seats: readonly number[]): void {
    this.selectedSeats = seats;
    this.requestDraw();
  }

  /** Seats to call attention to (e.g. taken by someone else just before we could hold them). */
  setFlaggedSeats(seats: readonly number[]): void {
    this.flaggedSeats = seats;
    this.requestDraw();
  }

  /** How wide a seat is drawn right now, in CSS pixels. */
  seatDiameterOnScreen(): number {
    return this.layout.seatSize * this.scale;
  }

  /** The canvas's CSS size and the device pixel ratio; the first call fits the venue to the view. */
  resize(width: number, height: number, pixelRatio: number): void {
    if (width === this.width && height === this.height && pixelRatio === this.pixelRatio) return;
    const wasFitted = this.hasFitted && Math.abs(this.scale - this.fitScale) < 1e-6;
    const centreX = (this.width / 2 - this.offsetX) / this.scale;
    const centreY = (this.height / 2 - this.offsetY) / this.scale;
    this.width = width;
    this.height = height;
    this.pixelRatio = pixelRatio;
    this.canvas.width = Math.max(1, Math.round(width * pixelRatio));
    this.canvas.height = Math.max(1, Math.round(height * pixelRatio));
    const { bounds } = this.layout;
    this.fitScale = Math.max(
      1e-6,
      Math.min(
        (width - 2 * FIT_PADDING_PX) / Math.max(bounds.maxX - bounds.minX, 1e-6),
        (height - 2 * FIT_PADDING_PX) / Math.max(bounds.maxY - bounds.minY, 1e-6),
      ),
    );
    if (!this.hasFitted || wasFitted) {
      this.fitToView();
    } else {
      // Keep what was in the middle in the middle.
      this.offsetX = width / 2 - centreX * this.scale;
      this.offsetY = height / 2 - centreY * this.scale;
      this.clampView();
    }
    this.requestDraw();
  }

  fitToView(): void {
    const { bounds } = this.layout;
    this.scale = this.fitScale;
    this.offsetX = this.width / 2 - ((bounds.minX + bounds.maxX) / 2) * this.scale;
    this.offsetY = this.height / 2 - ((bounds.minY + bounds.maxY) / 2) * this.scale;
    this.hasFitted = true;
    this.requestDraw();
  }

  /** Zooms by `factor`, keeping the point under (x, y) (CSS pixels in the canvas) in place. */
  zoomAt(factor: number, x: number, y: number): void {
    const minScale = this.fitScale * 0.75;
    const scale = Math.min(this.maxScale(), Math.max(minScale, this.scale * factor));
    const worldX = (x - this.offsetX) / this.scale;
    const worldY = (y - this.offsetY) / this.scale;
    this.scale = scale;
    this.offsetX = x - worldX * scale;
    this.offsetY = y - worldY * scale;
    this.clampView();
    this.requestDraw();
  }

  zoomAtCentre(factor: number): void {
    this.zoomAt(factor, this.width / 2, this.height / 2);
  }

  panBy(dx: number, dy: number): void {
    this.offsetX += dx;
    this.offsetY += dy;
    this.clampView();
    this.requestDraw();
  }

  /** The seat under a point in CSS pixels, or -1. */
  seatAt(x: number, y: number): number {
    const { layout } = this;
    // Generous when zoomed out, so a fingertip still finds a 2-pixel seat.
    const reach = Math.max(layout.seatSize * 0.75, 8 / this.scale);
    return findNearestSeat(
      layout.grid,
      layout.x,
      layout.y,
      (x - this.offsetX) / this.scale,
      (y - this.offsetY) / this.scale,
      reach,
    );
  }

  /** Where a seat is drawn, in CSS pixels within the canvas. */
  seatPosition(seat: number): { x: number; y: number } {
    return {
      x: (this.layout.x[seat] ?? 0) * this.scale + this.offsetX,
      y: (this.layout.y[seat] ?? 0) * this.scale + this.offsetY,
    };
  }

  /** Keeps part of the venue under the middle of the canvas, so it can never be panned out of sight. */
  private clampView(): void {
    const { bounds } = this.layout;
    this.offsetX = Math.min(this.width / 2 - bounds.minX * this.scale, this.offsetX);
    this.offsetX = Math.max(this.width / 2 - bounds.maxX * this.scale, this.offsetX);
    this.offsetY = Math.min(this.height / 2 - bounds.minY * this.scale, this.offsetY);
    this.offsetY = Math.max(this.height / 2 - bounds.maxY * this.scale, this.offsetY);
  }

  private requestDraw(): void {
    if (this.frameRequest !== 0) return;
    this.frameRequest = requestAnimationFrame(() => {
      this.frameRequest = 0;
      this.draw();
    });
  }

  private draw(): void {
    const { context, pixelRatio } = this;
    if (this.width === 0 || this.height === 0) return;
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.fillStyle = THEME.background;
    context.fillRect(0, 0, this.canvas.width, this.canvas.height);

    const deviceScale = this.scale * pixelRatio;
    context.setTransform(
      deviceScale,
      0,
      0,
      deviceScale,
      this.offsetX * pixelRatio,
      this.offsetY * pixelRatio,
    );
    this.drawStage();
    this.drawAreas();
    if (this.paint) {
      const overviewScale = this.overviewCacheScale();
      if (deviceScale <= overviewScale) {
        this.drawFromCache(overviewScale);
      } else {
        this.drawVisibleSeats(deviceScale);
      }
      this.drawSelectionAndHover();
    }

    context.setTransform(pixelRatio, 0, 0, pixelRatio, 0, 0);
    this.drawStageLabel();
    this.drawAreaLabels();
    this.drawSectionLabels();

    if (this.paint) {
      this.canvas.dataset.rendered = "true";
      this.canvas.dataset.statusVersion = String(this.paintVersion);
    }
    this.canvas.dataset.zoom = (this.scale / this.fitScale).toFixed(2);
    // Where layout coordinates land on the canvas (CSS px = x * scale + offset): lets tests aim at seats.
    this.canvas.dataset.viewTransform = `${this.scale} ${this.offsetX} ${this.offsetY}`;
  }

  /** Twice the fitted resolution (so the overview is sharp), within the memory budget. */
  private overviewCacheScale(): number {
    const { bounds } = this.layout;
    const width = bounds.maxX - bounds.minX;
    const height = bounds.maxY - bounds.minY;
    return Math.min(
      2 * this.fitScale * this.pixelRatio,
      Math.sqrt(MAX_CACHE_PIXELS / Math.max(width * height, 1e-6)),
      MAX_CACHE_SIDE / Math.max(width, height, 1e-6),
    );
  }

  private drawFromCache(cacheScale: number): void {
    const { bounds } = this.layout;
    if (!this.cache || !this.cacheIsCurrent || this.cacheScale !== cacheScale) {
      this.cache ??= document.createElement("canvas");
      this.cache.width = Math.max(1, Math.ceil((bounds.maxX - bounds.minX) * cacheScale));
      this.cache.height = Math.max(1, Math.ceil((bounds.maxY - bounds.minY) * cacheScale));
      const cacheContext = this.cache.getContext("2d");
      if (!cacheContext) return;
      cacheContext.setTransform(
        cacheScale,
        0,
        0,
        cacheScale,
        -bounds.minX * cacheScale,
        -bounds.minY * cacheScale,
      );
      this.fillSeats(cacheContext, this.paintOrder, this.paintStart, cacheScale);
      this.cacheScale = cacheScale;
      this.cacheIsCurrent = true;
    }
    this.context.imageSmoothingEnabled = true;
    this.context.imageSmoothingQuality = "high";
    this.context.drawImage(
      this.cache,
      bounds.minX,
      bounds.minY,
      this.cache.width / cacheScale,
      this.cache.height / cacheScale,
    );
  }

  private drawVisibleSeats(deviceScale: number): void {
    const { layout, paint } = this;
    if (!paint) return;
    const margin = layout.seatSize;
    let visibleCount = 0;
    forEachSeatInRect(
      layout.grid,
      -this.offsetX / this.scale - margin,
      -this.offsetY / this.scale - margin,
      (this.width - this.offsetX) / this.scale + margin,
      (this.height - this.offsetY) / this.scale + margin,
      (seat) => {
        this.visibleSeats[visibleCount++] = seat;
      },
    );
    // Group the visible seats by colour (a counting sort), so each colour is still one fill.
    const colourCount = paint.colours.length;
    const start = new Uint32Array(colourCount + 1);
    for (let index = 0; index < visibleCount; index++) {
      const colour = paint.colourOfSeat[this.visibleSeats[index] ?? 0] ?? 0;
      start[colour + 1] = (start[colour + 1] ?? 0) + 1;
    }
    for (let colour = 0; colour < colourCount; colour++) {
      start[colour + 1] = (start[colour + 1] ?? 0) + (start[colour] ?? 0);
    }
    const fill = start.slice(0, colourCount);
    for (let index = 0; index < visibleCount; index++) {
      const seat = this.visibleSeats[index] ?? 0;
      const colour = paint.colourOfSeat[seat] ?? 0;
      const slot = fill[colour] ?? 0;
      this.visibleOrder[slot] = seat;
      fill[colour] = slot + 1;
    }
    this.fillSeats(this.context, this.visibleOrder, start, deviceScale);
  }

  /** One path and one fill per colour; `devicePixelsPerUnit` picks circles or squares and a minimum size. */
  private fillSeats(
    context: CanvasRenderingContext2D,
    order: Uint32Array,
    start: Uint32Array,
    devicePixelsPerUnit: number,
  ): void {
    const { layout, paint } = this;
    if (!paint) return;
    const { x, y } = layout;
    // Never thinner than about a device pixel, or distant seats would fade into the background.
    const radius = Math.max(layout.seatSize / 2, 0.6 / devicePixelsPerUnit);
    const asCircles = layout.seatSize * devicePixelsPerUnit >= CIRCLE_MIN_DEVICE_PX;
    const side = radius * 2;
    for (let colour = 0; colour < paint.colours.length; colour++) {
      const from = start[colour] ?? 0;
      const to = start[colour + 1] ?? 0;
      if (from === to) continue;
      const colourValue = paint.colours[colour] ?? THEME.label;
      // Too small to see a shape: every status is a square, told apart by colour alone.
      const mark = asCircles ? (paint.marks?.[colour] ?? "fill") : "fill";
      context.beginPath();
      for (let index = from; index < to; index++) {
        const seat = order[index] ?? 0;
        const seatX = x[seat] ?? 0;
        const seatY = y[seat] ?? 0;
        if (!asCircles) {
          context.rect(seatX - radius, seatY - radius, side, side);
        } else if (mark === "ring") {
          context.moveTo(seatX + radius * 0.75, seatY);
          context.arc(seatX, seatY, radius * 0.75, 0, Math.PI * 2);
        } else if (mark === "bar") {
          context.rect(seatX - radius * 0.8, seatY - radius * 0.25, radius * 1.6, radius * 0.5);
        } else {
          context.moveTo(seatX + radius, seatY);
          context.arc(seatX, seatY, radius, 0, Math.PI * 2);
        }
      }
      if (mark === "ring") {
        context.lineWidth = radius * 0.5;
        context.strokeStyle = colourValue;
        context.stroke();
      } else {
        context.fillStyle = colourValue;
        context.fill();
      }
      if (mark === "cross") this.strokeCrosses(context, order, from, to, radius);
    }
  }

  /** The white × over sold seats. */
  private strokeCrosses(
    context: CanvasRenderingContext2D,
    order: Uint32Array,
    from: number,
    to: number,
    radius: number,
  ): void {
    const { x, y } = this.layout;
    const arm = radius * 0.45;
    context.beginPath();
    for (let index = from; index < to; index++) {
      const seat = order[index] ?? 0;
      const seatX = x[seat] ?? 0;
      const seatY = y[seat] ?? 0;
      context.moveTo(seatX - arm, seatY - arm);
      context.lineTo(seatX + arm, seatY + arm);
      context.moveTo(seatX + arm, seatY - arm);
      context.lineTo(seatX - arm, seatY + arm);
    }
    context.lineWidth = radius * 0.28;
    context.strokeStyle = THEME.selectedRing;
    context.stroke();
  }

  private drawSelectionAndHover(): void {
    const { context, layout, scale } = this;
    const radius = Math.max(layout.seatSize / 2, 3 / scale);
    // A little larger than a seat, so the white ring does not make the fan's own seats look smaller.
    const selectedRadius = Math.max(layout.seatSize * 0.6, 3.5 / scale);
    for (const seat of this.selectedSeats) {
      context.beginPath();
      context.arc(layout.x[seat] ?? 0, layout.y[seat] ?? 0, selectedRadius, 0, Math.PI * 2);
      context.fillStyle = THEME.selectedFill;
      context.fill();
      context.lineWidth = 1.5 / scale;
      context.strokeStyle = THEME.selectedRing;
      context.stroke();
      // A white centre: the fan's own seats never look like sold ones, even in grey scale.
      context.beginPath();
      context.arc(layout.x[seat] ?? 0, layout.y[seat] ?? 0, selectedRadius * 0.35, 0, Math.PI * 2);
      context.fillStyle = THEME.selectedRing;
      context.fill();
    }
    for (const seat of this.flaggedSeats) {
      context.beginPath();
      context.arc(layout.x[seat] ?? 0, layout.y[seat] ?? 0, radius + 2 / scale, 0, Math.PI * 2);
      context.lineWidth = 2.5 / scale;
      context.strokeStyle = THEME.flaggedRing;
      context.stroke();
    }
    if (this.hoveredSeat >= 0) {
      context.beginPath();
      context.arc(
        layout.x[this.hoveredSeat] ?? 0,
        layout.y[this.hoveredSeat] ?? 0,
        radius + 2.5 / scale,
        0,
        Math.PI * 2,
      );
      context.lineWidth = 2 / scale;
      context.strokeStyle = THEME.hoverRing;
      context.stroke();
    }
    if (this.focusedSeat >= 0) {
      const focusX = layout.x[this.focusedSeat] ?? 0;
      const focusY = layout.y[this.focusedSeat] ?? 0;
      context.beginPath();
      context.arc(focusX, focusY, radius + 4.5 / scale, 0, Math.PI * 2);
      context.lineWidth = 3 / scale;
      context.strokeStyle = THEME.focusRing;
      context.stroke();
      context.beginPath();
      context.arc(focusX, focusY, radius + 2 / scale, 0, Math.PI * 2);
      context.lineWidth = 1.5 / scale;
      context.strokeStyle = THEME.focusInner;
      context.stroke();
    }
  }

  private traceArea(outline: readonly number[]): void {
    this.context.beginPath();
    for (let i = 0; i + 1 < outline.length; i += 2) {
      const x = outline[i] as number;
      const y = outline[i + 1] as number;
      if (i === 0) this.context.moveTo(x, y);
      else this.context.lineTo(x, y);
    }
    this.context.closePath();
  }

  private drawAreas(): void {
    for (const area of this.areas) {
      if (!area.outline) continue;
      this.traceArea(area.outline);
      this.context.fillStyle = area.available > 0 ? THEME.area : THEME.areaSoldOut;
      this.context.fill();
      this.context.lineWidth = 2 / this.scale;
      this.context.setLineDash(area.available > 0 ? [] : [6 / this.scale, 4 / this.scale]);
      this.context.strokeStyle = THEME.areaEdge;
      this.context.stroke();
      this.context.setLineDash([]);
    }
  }

  /** Each area's label at its outline's centre, in CSS pixels (drawn after the seats). */
  private drawAreaLabels(): void {
    const context = this.context;
    for (const area of this.areas) {
      if (!area.outline || area.outline.length < 6) continue;
      let x = 0;
      let y = 0;
      const points = area.outline.length / 2;
      for (let i = 0; i + 1 < area.outline.length; i += 2) {
        x += area.outline[i] as number;
        y += area.outline[i + 1] as number;
      }
      const screenX = (x / points) * this.scale + this.offsetX;
      const screenY = (y / points) * this.scale + this.offsetY;
      context.font = "700 13px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
      context.textAlign = "center";
      context.textBaseline = "middle";
      context.fillStyle = THEME.areaText;
      context.fillText(area.label, screenX, screenY);
    }
  }

  private drawStage(): void {
    const { stage } = this.layout;
    if (stage.width <= 0 || stage.height <= 0) return;
    this.context.beginPath();
    this.context.roundRect(
      stage.x,
      stage.y,
      stage.width,
      stage.height,
      Math.min(stage.width, stage.height) * 0.08,
    );
    this.context.fillStyle = THEME.stage;
    this.context.fill();
  }

  private drawStageLabel(): void {
    const { stage } = this.layout;
    const width = stage.width * this.scale;
    const height = stage.height * this.scale;
    if (!stage.label || width < 36 || height < 12) return;
    const fontSize = Math.round(Math.min(28, Math.max(10, Math.min(width, height) * 0.3)));
    const context = this.context;
    context.font = `700 ${fontSize}px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif`;
    context.textAlign = "center";
    context.textBaseline = "middle";
    context.fillStyle = THEME.stageText;
    context.fillText(
      stage.label.toUpperCase(),
      (stage.x + stage.width / 2) * this.scale + this.offsetX,
      (stage.y + stage.height / 2) * this.scale + this.offsetY,
      width - 8,
    );
  }

  private drawSectionLabels(): void {
    const { context, scale } = this;
    context.font = LABEL_FONT;
    context.textAlign = "center";
    context.textBaseline = "middle";
    context.lineJoin = "round";
    context.lineWidth = 3;
    context.strokeStyle = THEME.labelHalo;
    context.fillStyle = THEME.label;
    const drawn: { left: number; top: number; right: number; bottom: number }[] = [];
    for (const section of this.layout.sections) {
      const x = section.centerX * scale + this.offsetX;
      const y = section.centerY * scale + this.offsetY;
      if (x < -60 || y < -20 || x > this.width + 60 || y > this.height + 20) continue;
      // Only label sections big enough on screen to carry their name, and never two labels on each other.
      const textWidth = context.measureText(section.mapLabel).width;
      if (section.width * scale < textWidth + 4 || section.height * scale < 12) continue;
      const box = { left: x - textWidth / 2 - 2, top: y - 8, right: x + textWidth / 2 + 2, bottom: y + 8 };
      const overlaps = drawn.some(
        (other) =>
          box.left < other.right &&
          other.left < box.right &&
          box.top < other.bottom &&
          other.top < box.bottom,
      );
      if (overlaps) continue;
      drawn.push(box);
      context.strokeText(section.mapLabel, x, y);
      context.fillText(section.mapLabel, x, y);
    }
  }
}

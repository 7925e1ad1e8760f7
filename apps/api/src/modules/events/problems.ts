import { AppError, ErrorCode } from "../../kernel/errors.js";

// Field-level validation (docs/api.md): every problem of an input is found before any is reported, and
// all of them are returned at once, each with the field it is about, so a form can show each beside its
// field. `extensions.field` is the first problem's field; `extensions.problems` lists them all.

export interface Problem {
  field: string;
  message: string;
}

export class Problems {
  private readonly list: Problem[] = [];

  add(field: string, message: string): void {
    this.list.push({ field, message });
  }

  /** Adds the problem when `ok` is false; returns `ok`. */
  check(ok: boolean, field: string, message: string): boolean {
    if (!ok) this.add(field, message);
    return ok;
  }

  text(field: string, value: string | null | undefined, { min = 1, max = 200, label = field } = {}): void {
    if (value === undefined || value === null) return;
    const length = value.trim().length;
    this.check(length >= min, field, `${label} must not be empty`);
    this.check(length <= max, field, `${label} must be at most ${max} characters`);
  }

  int(field: string, value: number | null | undefined, min: number, max: number, label = field): void {
    if (value === undefined || value === null) return;
    this.check(
      Number.isInteger(value) && value >= min && value <= max,
      field,
      `${label} must be a whole number from ${min} to ${max}`,
    );
  }

  get empty(): boolean {
    return this.list.length === 0;
  }

  /** Throws BAD_USER_INPUT listing every problem (when there is one). */
  throwIfAny(summary = "The input has problems"): void {
    const [first] = this.list;
    if (!first) return;
    const message =
      this.list.length === 1 ? first.message : `${summary}: ${this.list.map((p) => p.message).join("; ")}`;
    throw new AppError(ErrorCode.BAD_USER_INPUT, message, { field: first.field, problems: this.list });
  }
}

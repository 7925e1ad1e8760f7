// The API's chart upload route (docs/venues.md, "Uploading a chart"): POST the chart's bytes with the
// session cookie, beside /graphql. XMLHttpRequest, not fetch: only it reports upload progress.

export type ChartFormat = "JSON" | "CSV";

export interface ChartProblem {
  path: string;
  line?: number;
  message: string;
}

export interface UploadedChart {
  chart: { id: string; name: string; version: number; seats: number; sections: number };
  newVersion: boolean;
  previousVersion: number | null;
  message: string;
}

export interface UploadRefusal {
  code: string;
  message: string;
  problems: ChartProblem[];
  moreProblems: number;
}

export type UploadProgress =
  | { phase: "sending"; sent: number; total: number }
  /** Every byte is there: the API checks and writes the chart. */
  | { phase: "checking" };

const CONTENT_TYPES: Record<ChartFormat, string> = { JSON: "application/json", CSV: "text/csv" };

/** The route's URL for a venue (and a chart name), next to the API's /graphql endpoint. */
export function chartUploadUrl(graphqlUrl: string, venueId: string, name?: string | null): string {
  const url = new URL("/imports/seating-chart", graphqlUrl);
  url.searchParams.set("venueId", venueId);
  if (name) url.searchParams.set("name", name);
  return url.toString();
}

/** The format a file's name or type says, CSV unless it says JSON. */
export function formatOfFile(file: { name: string; type: string }): ChartFormat {
  return file.name.toLowerCase().endsWith(".json") || file.type === "application/json" ? "JSON" : "CSV";
}

/** Sends the chart; resolves with the saved chart or the API's refusal (network failures reject). */
export function uploadChart(
  url: string,
  format: ChartFormat,
  body: Blob | string,
  onProgress: (progress: UploadProgress) => void,
): Promise<{ ok: true; saved: UploadedChart } | { ok: false; refusal: UploadRefusal }> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", url);
    request.withCredentials = true;
    request.setRequestHeader("content-type", CONTENT_TYPES[format]);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress({ phase: "sending", sent: event.loaded, total: event.total });
    };
    request.upload.onload = () => onProgress({ phase: "checking" });
    request.onerror = () => reject(new Error("The upload did not reach the API: check your connection"));
    request.onload = () => {
      let answer: unknown;
      try {
        answer = JSON.parse(request.responseText);
      } catch {
        reject(new Error(`The API answered ${request.status} without JSON`));
        return;
      }
      if (request.status === 200) {
        resolve({ ok: true, saved: answer as UploadedChart });
        return;
      }
      const error = (answer as { errors?: { message: string; extensions?: Record<string, unknown> }[] })
        .errors?.[0];
      const extensions = error?.extensions ?? {};
      resolve({
        ok: false,
        refusal: {
          code: String(extensions.code ?? request.status),
          message: error?.message ?? `The API answered ${request.status}`,
          problems: Array.isArray(extensions.problems) ? (extensions.problems as ChartProblem[]) : [],
          moreProblems: Number(extensions.moreProblems ?? 0),
        },
      });
    };
    request.send(body);
  });
}

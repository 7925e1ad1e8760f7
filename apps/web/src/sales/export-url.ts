/** The API's attendee export (GET, the session cookie), next to its /graphql endpoint. */
export function attendeeExportUrl(graphqlUrl: string, eventId: string): string {
  return new URL(`/exports/attendees.csv?eventId=${encodeURIComponent(eventId)}`, graphqlUrl).toString();
}

/** Your own activities: registered next to the compute activities, with no name clash. */
export async function notifyTeam(summary: string): Promise<string> {
  return `notified: ${summary}`;
}

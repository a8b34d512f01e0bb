/**
 * The school address as the admin may paste it: `myschool.learnworlds.com`,
 * `https://academy.example.com/`, or the "API URL" LearnWorlds shows
 * (`https://myschool.learnworlds.com/admin/api/v2`). Always reduced to `https://host[:port]`.
 */
export class SchoolUrlError extends Error {}

const HOST = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

export function normaliseSchoolUrl(input: string | undefined): string {
  const raw = (input ?? '').trim();
  if (raw === '') throw new SchoolUrlError('Enter your school URL, for example myschool.learnworlds.com.');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new SchoolUrlError(`"${raw}" is not a web address. Enter your school URL, for example myschool.learnworlds.com.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new SchoolUrlError(`"${raw}" is not a web address. Enter your school URL, for example myschool.learnworlds.com.`);
  }
  if (!HOST.test(url.hostname)) {
    throw new SchoolUrlError(`"${url.hostname}" is not a school domain. Enter your school URL, for example myschool.learnworlds.com.`);
  }
  return `https://${url.host.toLowerCase()}`;
}

export function schoolHost(input: string | undefined): string {
  return new URL(normaliseSchoolUrl(input)).host;
}

export function apiUrl(schoolUrl: string | undefined, path: string): string {
  return `${normaliseSchoolUrl(schoolUrl)}/admin/api/v2/${path.replace(/^\/+/, '')}`;
}

/**
 * Samples of what the actions and searches return, built from API-shaped examples through the
 * same code as live results, so samples, output fields and live output cannot drift apart.
 */
import type { JsonObject } from '../../contract/json';
import { outputUser } from '../api/users';

/** A user as `GET /v2/users/{id}` returns it (times as Unix seconds, UTM keys `fc_utm_*`). */
export const API_USER_EXAMPLE: JsonObject = {
  id: '6130afb278d2c94eeb228d12',
  email: 'ada.lovelace@example.com',
  username: 'Ada Lovelace',
  first_name: 'Ada',
  last_name: 'Lovelace',
  subscribed_for_marketing_emails: true,
  eu_customer: true,
  is_admin: false,
  is_instructor: false,
  is_suspended: false,
  is_reporter: false,
  is_affiliate: false,
  role: { level: 'user', name: 'User' },
  referrer_id: null,
  created: 1700000000.25,
  last_login: 1700003600.5,
  signup_approval_status: 'passed',
  fields: { bio: 'Analyst and writer', location: 'London', company: 'Analytical Engines Ltd', phone: null, url: 'https://example.com' },
  tags: ['vip', 'newsletter'],
  utms: {
    fc_utm_source: 'newsletter',
    fc_utm_medium: 'email',
    fc_utm_campaign: 'spring',
    lc_utm_source: 'google',
    lc_utm_medium: 'cpc',
    lc_utm_campaign: 'brand',
  },
  billing_info: { bf_name: 'Ada Lovelace', bf_address: '12 St James Square', bf_city: 'London', bf_country: 'GB', bf_postalcode: 'SW1Y 4JH', bf_taxid: null },
  nps_score: 9,
  nps_comment: 'Great courses',
};

export const USER_SAMPLE: JsonObject = outputUser(API_USER_EXAMPLE);

/** The product an enrollment names, as the actions output it. */
export const PRODUCT_SAMPLE: JsonObject = { id: 'javascript-101', type: 'course', title: 'JavaScript 101' };

/** `GET /v2/users/{id}/courses/{cid}/progress`, as LearnWorlds sends it. */
export const API_PROGRESS_EXAMPLE: JsonObject = {
  status: 'completed',
  progress_rate: 100,
  average_score_rate: 87.5,
  time_on_course: 5400,
  total_units: 12,
  completed_units: 12,
  completed_at: 1700500000.75,
};

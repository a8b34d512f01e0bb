/**
 * Hidden polling triggers that feed the dropdowns: the triggers' filters (course, learning
 * program, product) and the actions' product of a chosen type.
 */
import { type Bundle, type PollingTriggerPerform, type ZObject, defineTrigger } from 'zapier-platform-core';
import { type JsonObject, type JsonValue, isJsonObject } from '../../contract/json';
import { callApi, rows } from './client';
import { type ProductType, isProductType } from '../actions/fields';

export interface Choice {
  id: string;
  title: string;
}

/** `meta.totalPages` of a list answer, when LearnWorlds says. */
function totalPages(payload: JsonValue | undefined): number | undefined {
  const meta = isJsonObject(payload) ? payload.meta : undefined;
  return isJsonObject(meta) && typeof meta.totalPages === 'number' ? meta.totalPages : undefined;
}

/**
 * One page of a list, through the API client (a 5xx is its friendly "LearnWorlds is
 * unavailable" message). Past `meta.totalPages` nothing: an endpoint may repeat its last page.
 */
async function choices(z: ZObject, bundle: Bundle, path: string, kind?: string): Promise<Choice[]> {
  const page = (bundle.meta?.page ?? 0) + 1;
  const payload = await callApi(z, bundle, { method: 'GET', path: [path], params: { page: String(page) } });
  const pages = totalPages(payload);
  if (pages !== undefined && page > pages) return [];
  return rows(payload)
    .flatMap((row: JsonObject) => (typeof row.id === 'string' ? [{ id: row.id, title: typeof row.title === 'string' && row.title ? row.title : row.id }] : []))
    .map(({ id, title }) => ({ id, title: kind ? `${title} (${kind})` : title }));
}

export const listCourses: PollingTriggerPerform = (z, bundle) => choices(z, bundle, 'courses');
export const listLearningPrograms: PollingTriggerPerform = (z, bundle) => choices(z, bundle, 'bundles');
export const listProducts: PollingTriggerPerform = async (z, bundle) => {
  const [courses, bundles, plans] = await Promise.all([
    choices(z, bundle, 'courses', 'course'),
    choices(z, bundle, 'bundles', 'bundle'),
    choices(z, bundle, 'subscription-plans', 'subscription'),
  ]);
  return [...courses, ...bundles, ...plans];
};

/** The products of the type chosen in the action's Product Type field (all types before one is chosen). */
export const listProductsOfType: PollingTriggerPerform = async (z, bundle) => {
  const path: Record<ProductType, string> = { course: 'courses', bundle: 'bundles', subscription: 'subscription-plans' };
  const type = bundle.inputData.product_type;
  return isProductType(type) ? choices(z, bundle, path[type]) : listProducts(z, bundle);
};

function dropdown(key: string, noun: string, perform: PollingTriggerPerform) {
  return defineTrigger({
    key,
    noun,
    display: { label: `List ${noun}s`, description: `Lists ${noun.toLowerCase()}s for a dropdown.`, hidden: true },
    operation: { type: 'polling', perform, canPaginate: true },
  });
}

export const DROPDOWN_TRIGGERS = {
  course_list: dropdown('course_list', 'Course', listCourses),
  learning_program_list: dropdown('learning_program_list', 'Learning Program', listLearningPrograms),
  product_list: dropdown('product_list', 'Product', listProducts),
  product_of_type_list: dropdown('product_of_type_list', 'Product', listProductsOfType),
};

/** Input fields several actions share; every one has a label and says where its value comes from. */
export const PRODUCT_TYPES = { course: 'Course', bundle: 'Bundle (learning program)', subscription: 'Subscription plan' } as const;
export type ProductType = keyof typeof PRODUCT_TYPES;

export function isProductType(value: unknown): value is ProductType {
  return typeof value === 'string' && Object.hasOwn(PRODUCT_TYPES, value);
}

export const userField = {
  key: 'user',
  label: 'User',
  required: true,
  type: 'string' as const,
  helpText: "The user's email address or LearnWorlds user ID: map it from an earlier step, such as a trigger's **User Email** or **User ID**.",
};

export const emailField = {
  key: 'email',
  label: 'Email',
  required: true,
  type: 'string' as const,
  helpText: "The user's email address, usually mapped from the earlier step (the buyer's or the form's email).",
};

export const usernameField = {
  key: 'username',
  label: 'Username',
  required: false,
  type: 'string' as const,
  helpText:
    "The name LearnWorlds shows for a new user. Map the customer's name from the earlier step; left empty, it is made from the part of the email before the @.",
};

export const productTypeField = {
  key: 'product_type',
  label: 'Product Type',
  required: true,
  choices: PRODUCT_TYPES,
  altersDynamicFields: true,
  helpText: 'What kind of product this is in LearnWorlds: a course, a bundle (learning program) or a subscription plan.',
};

export const productIdField = {
  key: 'product_id',
  label: 'Product',
  required: true,
  dynamic: 'product_of_type_list.id.title',
  helpText:
    'Pick the course, bundle or subscription plan (the list shows products of the chosen type), or map its LearnWorlds ID (the last part of its address, such as `javascript-101`) from an earlier step.',
};

export const tagsField = {
  key: 'tags',
  label: 'Tags',
  required: true,
  list: true,
  type: 'string' as const,
  helpText: 'One tag per line, or several separated by commas (for example `vip, 2024 cohort`). Map them from an earlier step or type them.',
};

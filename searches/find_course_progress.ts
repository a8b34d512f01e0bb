/**
 * Find Course Progress: GET /v2/users/{user}/courses/{course}/progress. A user or course that
 * LearnWorlds does not know, or a user not enrolled in the course → [] ("nothing found").
 * 1 API call.
 */
import { type Bundle, type ZObject, defineSearch } from 'zapier-platform-core';
import { convertDatesInPlace } from '../src/common/dates';
import type { JsonObject } from '../contract/json';
import { outputFieldsFor } from '../src/common/output-fields';
import { userField } from '../src/actions/fields';
import { API_THROTTLE } from '../src/actions/limits';
import { API_PROGRESS_EXAMPLE } from '../src/actions/samples';
import { callApi, expectObject } from '../src/api/client';
import { userRef } from '../src/api/users';

/** The progress record as output: who and which course, then LearnWorlds' fields, ISO dates. */
export function outputProgress(user: string, courseId: string, progress: JsonObject): JsonObject {
  const out: JsonObject = { id: `${user}:${courseId}`, user, course_id: courseId, ...structuredClone(progress) };
  convertDatesInPlace(out);
  return out;
}

export async function perform(z: ZObject, bundle: Bundle): Promise<JsonObject[]> {
  const user = userRef(z, bundle.inputData.user);
  const courseId = userRef(z, bundle.inputData.course_id, 'Course');
  const progress = await callApi(z, bundle, { method: 'GET', path: ['users', user, 'courses', courseId, 'progress'] }, 'undefined');
  return progress === undefined ? [] : [outputProgress(user, courseId, expectObject(z, progress, 'the progress'))];
}

const SAMPLE = outputProgress('ada.lovelace@example.com', 'javascript-101', API_PROGRESS_EXAMPLE);

export default defineSearch({
  key: 'find_course_progress',
  noun: 'Progress',
  display: {
    label: 'Find Course Progress',
    description: "Finds a user's progress in a course: status, progress and average score, time spent and completed units.",
  },
  operation: {
    throttle: API_THROTTLE,
    inputFields: [
      userField,
      {
        key: 'course_id',
        label: 'Course',
        required: true,
        dynamic: 'course_list.id.title',
        helpText: 'Pick the course, or map its LearnWorlds ID (the last part of its address, such as `javascript-101`) from an earlier step.',
      },
    ],
    perform,
    sample: SAMPLE,
    outputFields: outputFieldsFor(SAMPLE),
  },
});

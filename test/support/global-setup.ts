import { assertRedisAnswers } from './redis';

/** Every service the tests need must be there: a missing one fails the run and says what is missing. */
export default async function globalSetup(): Promise<void> {
  await assertRedisAnswers();
}

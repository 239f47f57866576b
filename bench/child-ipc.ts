/** What a benchmark child process uses to report back to the parent over IPC. */
import type { ChildMessage } from './setup.js';

export const sendToParent = (message: ChildMessage) =>
  new Promise<void>((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });

/** CPU time of this process so far (user + system), in ms. */
export const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

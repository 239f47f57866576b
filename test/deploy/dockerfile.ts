/** Just enough of a Dockerfile reader for the deployment test: instructions grouped by stage. */
export interface Instruction {
  keyword: string;
  args: string;
}

export type Stage = Instruction[];

export function dockerfileStages(text: string): Stage[] {
  const stages: Stage[] = [];
  const joined = text.replace(/\\\r?\n/g, ' '); // line continuations
  for (const raw of joined.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: args.trim() };
    if (instruction.keyword === 'FROM') stages.push([instruction]);
    else stages.at(-1)?.push(instruction);
  }
  return stages;
}

export const argsOf = (stage: Stage, keyword: string) =>
  stage.filter((i) => i.keyword === keyword).map((i) => i.args);

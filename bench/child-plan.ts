/**
 * The protocol of a forked benchmark child: it receives one plan from its parent, replies one
 * result, and exits (1 with a line on stderr when the run fails).
 * Usage, at the bottom of the child: `answerOnePlan('load runner', run)`.
 */
export function answerOnePlan<Plan, Result>(name: string, run: (plan: Plan) => Promise<Result>): void {
  process.once('message', (plan: Plan) => {
    run(plan).then(
      (result) => process.send!(result as object, () => process.exit(0)),
      (error: unknown) => {
        process.stderr.write(`${name} failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  });
}

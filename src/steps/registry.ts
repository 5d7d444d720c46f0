/** The built-in step types. The engine never imports steps; the CLI hands it this list. */
import type { StepDefinition } from "../engine/step.js";

export function builtinSteps(): StepDefinition[] {
  return [];
}

/** One goal of issue #8, its measured value and whether it was met. */
export interface Goal {
  goal: string;
  measured: string;
  met: boolean;
}

export const goal = (text: string, measured: string, met: boolean): Goal => ({
  goal: text,
  measured,
  met,
});

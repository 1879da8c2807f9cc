// Number formatting exactly as Python prints it, for lines that must read like PEFT's.

/** Python `f"{n:,d}"`. */
export function pyThousands(n: number): string {
  const s = Math.abs(Math.trunc(n)).toString();
  return (n < 0 ? '-' : '') + s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Python `f"{x:.{digits}f}"`: correctly rounded from the exact binary value, ties to even. JS toFixed rounds
 * exact ties up, so the exact decimal expansion (toFixed(100) is exact for |x| < 1e21) is rounded here by hand.
 */
export function pyFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const neg = x < 0 || Object.is(x, -0);
  const exact = Math.abs(x).toFixed(100);
  const [int, frac] = exact.split('.');
  const keep = frac.slice(0, digits);
  const rest = frac.slice(digits);
  const firstDropped = rest.charCodeAt(0) - 48;
  const tail = rest.slice(1).replace(/0+$/, '');
  const lastKept = digits > 0 ? keep.charCodeAt(digits - 1) - 48 : int.charCodeAt(int.length - 1) - 48;
  const roundUp = firstDropped > 5 || (firstDropped === 5 && (tail.length > 0 || lastKept % 2 === 1));
  let digitsStr = int + keep;
  if (roundUp) digitsStr = (BigInt(digitsStr) + 1n).toString().padStart(digitsStr.length, '0');
  const intPart = digitsStr.slice(0, digitsStr.length - digits) || '0';
  const out = digits > 0 ? `${intPart}.${digitsStr.slice(digitsStr.length - digits)}` : intPart;
  return neg ? `-${out}` : out; // Python keeps the sign: f'{-0.00001:.4f}' == '-0.0000'
}

/** PEFT's `print_trainable_parameters` line (peft-spec §6.4). */
export function peftTrainableLine(trainable: number, all: number): string {
  return `trainable params: ${pyThousands(trainable)} || all params: ${pyThousands(all)} || trainable%: ${pyFixed((100 * trainable) / all, 4)}`;
}

/**
 * A strict well-formedness check for the XML the outputs write (SVG): one root, tags balanced,
 * attributes quoted and not repeated, only the five predefined entities or character references,
 * no stray `<` or `&`. Returns the problems found (empty when well formed).
 */
export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  let roots = 0;
  let i = 0;
  const text = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const checkText = (s: string, where: number): void => {
    if (s.includes('<')) problems.push(`stray < at ${where}`);
    for (const m of s.matchAll(/&([^;\s]*);?/g)) {
      if (!/^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);$/.test(m[0])) problems.push(`bad entity ${m[0]} at ${where + (m.index ?? 0)}`);
    }
  };
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    if (lt < 0) {
      if (stack.length > 0 || text.slice(i).trim() !== '') checkText(text.slice(i), i);
      break;
    }
    const between = text.slice(i, lt);
    if (stack.length === 0 && between.trim() !== '') problems.push(`text outside the root at ${i}`);
    checkText(between, i);
    if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt);
      if (end < 0) return [...problems, 'unclosed comment'];
      i = end + 3;
      continue;
    }
    if (text.startsWith('<![CDATA[', lt)) {
      const end = text.indexOf(']]>', lt);
      if (end < 0) return [...problems, 'unclosed CDATA'];
      i = end + 3;
      continue;
    }
    const gt = findTagEnd(text, lt);
    if (gt < 0) return [...problems, `unclosed tag at ${lt}`];
    const tag = text.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open}> at ${lt}`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const m = /^([A-Za-z_][\w.:-]*)([\s\S]*)$/.exec(body);
    if (!m) {
      problems.push(`bad tag <${tag.slice(0, 20)}> at ${lt}`);
      continue;
    }
    const seen = new Set<string>();
    let rest = m[2]!;
    while (rest.trim() !== '') {
      const a = /^\s+([A-Za-z_][\w.:-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(rest);
      if (!a) {
        problems.push(`bad attribute in <${m[1]}> at ${lt}: ${rest.slice(0, 30)}`);
        break;
      }
      if (seen.has(a[1]!)) problems.push(`repeated attribute ${a[1]} at ${lt}`);
      seen.add(a[1]!);
      checkText((a[3] ?? a[4])!, lt);
      rest = rest.slice(a[0].length);
    }
    if (stack.length === 0) roots++;
    if (!selfClosing) stack.push(m[1]!);
  }
  if (stack.length > 0) problems.push(`unclosed <${stack.join('> <')}>`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}

function findTagEnd(s: string, from: number): number {
  let quote = '';
  for (let k = from + 1; k < s.length; k++) {
    const c = s[k];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return k;
  }
  return -1;
}

import { readFileSync } from 'node:fs';

/**
 * Reads the subset of YAML that docker-compose.yml uses — nested maps, block and flow lists, `|` scripts,
 * full-line comments — so tests can hold the compose file to the code without a YAML dependency.
 */
export type YamlNode = string | YamlNode[] | { [key: string]: YamlNode };

const unquote = (text: string) => text.replace(/^(["'])(.*)\1$/, '$2');

/** `a, "b, c", 'd'`: items split on commas outside quotes. */
function flowList(text: string): string[] {
  const items: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = undefined;
      current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      current += ch;
    } else if (ch === ',') {
      items.push(current);
      current = '';
    } else current += ch;
  }
  items.push(current);
  return items.map((item) => unquote(item.trim())).filter(Boolean);
}

export function readYaml(text: string): YamlNode {
  const lines = text
    .split('\n')
    .filter((line) => line.trim() && !line.trim().startsWith('#'))
    .map((line) => ({ indent: line.length - line.trimStart().length, text: line.trim() }));
  let i = 0;

  function scalar(rest: string, indent: number): YamlNode {
    if (rest === '') return i < lines.length && lines[i]!.indent > indent ? block(lines[i]!.indent) : '';
    if (rest === '|' || rest === '>') {
      const body: string[] = [];
      while (i < lines.length && lines[i]!.indent > indent) body.push(lines[i++]!.text);
      return body.join('\n');
    }
    if (rest.startsWith('[')) return flowList(rest.slice(1, -1));
    return unquote(rest);
  }

  function block(indent: number): YamlNode {
    if (lines[i]!.text.startsWith('- ')) {
      const list: YamlNode[] = [];
      while (i < lines.length && lines[i]!.indent === indent && lines[i]!.text.startsWith('- '))
        list.push(scalar(lines[i++]!.text.slice(2).trim(), indent));
      return list;
    }
    const map: Record<string, YamlNode> = {};
    while (i < lines.length && lines[i]!.indent === indent && !lines[i]!.text.startsWith('- ')) {
      const { text } = lines[i++]!;
      const colon = text.indexOf(':');
      map[unquote(text.slice(0, colon))] = scalar(text.slice(colon + 1).trim(), indent);
    }
    return map;
  }

  return block(0);
}

export interface ComposeService {
  image?: string;
  build?: Record<string, YamlNode>;
  ports?: string[];
  networks?: string[];
  environment?: Record<string, string>;
  command?: string[];
  entrypoint?: string[];
  restart?: string;
  profiles?: string[];
  healthcheck?: { test?: string[] } & Record<string, YamlNode>;
  depends_on?: Record<string, { condition?: string }>;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  networks?: Record<string, { internal?: string }>;
}

export function readComposeFile(path: string | URL): ComposeFile {
  return readYaml(readFileSync(path, 'utf8')) as unknown as ComposeFile;
}

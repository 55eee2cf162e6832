// A stand-in for the `vscode` module, so the extension and vscode-languageclient run under plain Node.
//
// The unit-test build aliases `vscode` to this file. It implements what the extension and the client
// really use (settings, output channel, messages, commands, configuration events, documents) and
// answers every other property with an inert stub, because the client touches a wide API surface
// while it registers features that these tests never exercise.

/* eslint-disable @typescript-eslint/no-extraneous-class */

/** Something callable, constructible and indexable that does nothing and returns more of itself. */
function inert(): unknown {
  const target = function () {
    /* inert */
  };
  const handler: ProxyHandler<typeof target> = {
    get(_target, property) {
      if (property === "then") {
        return undefined; // Not a promise, or `await` would hang on it.
      }
      if (property === Symbol.iterator) {
        return function* () {
          /* empty */
        };
      }
      if (property === Symbol.toPrimitive) {
        return () => "";
      }
      return proxy;
    },
    apply: () => proxy,
    construct: () => proxy as object,
  };
  const proxy: unknown = new Proxy(target, handler);
  return proxy;
}

/** An object whose listed members are real and whose other members are inert. */
function partly<T extends object>(real: T): T {
  return new Proxy(real, {
    get(target, property, receiver) {
      return property in target ? Reflect.get(target, property, receiver) : inert();
    },
  });
}

type Listener<T> = (event: T) => unknown;

export class Disposable {
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => {
      for (const item of items) {
        item.dispose();
      }
    });
  }
  constructor(private readonly onDispose: () => unknown = () => undefined) {}
  dispose(): void {
    this.onDispose();
  }
}

export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  readonly event = (listener: Listener<T>): Disposable => {
    this.listeners.push(listener);
    return new Disposable(() => (this.listeners = this.listeners.filter((l) => l !== listener)));
  };
  fire(event: T): void {
    for (const listener of [...this.listeners]) {
      listener(event);
    }
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class CancellationError extends Error {}

export class CancellationTokenSource {
  private readonly emitter = new EventEmitter<undefined>();
  readonly token = { isCancellationRequested: false, onCancellationRequested: this.emitter.event };
  cancel(): void {
    this.token.isCancellationRequested = true;
    this.emitter.fire(undefined);
  }
  dispose(): void {
    this.emitter.dispose();
  }
}

export class Uri {
  static file(fsPath: string): Uri {
    return new Uri("file", fsPath);
  }
  static parse(value: string): Uri {
    const match = /^([a-z][\w+.-]*):(?:\/\/)?(.*)$/i.exec(value);
    return match ? new Uri(match[1] ?? "file", match[2] ?? "") : new Uri("file", value);
  }
  private constructor(
    readonly scheme: string,
    readonly fsPath: string,
  ) {}
  get path(): string {
    return this.fsPath;
  }
  toString(): string {
    return `${this.scheme}://${this.fsPath}`;
  }
  with(): this {
    return this;
  }
}

/** Value classes the client extends or constructs; the tests never look inside them. */
class Value {
  constructor(...args: unknown[]) {
    Object.assign(this, { args });
  }
}
export class CallHierarchyIncomingCall extends Value {}
export class CallHierarchyItem extends Value {}
export class CallHierarchyOutgoingCall extends Value {}
export class CodeAction extends Value {}
export class CodeLens extends Value {}
export class Color extends Value {}
export class ColorInformation extends Value {}
export class ColorPresentation extends Value {}
export class CompletionItem extends Value {}
export class CompletionList extends Value {}
export class Diagnostic extends Value {}
export class DiagnosticRelatedInformation extends Value {}
export class DocumentHighlight extends Value {}
export class DocumentLink extends Value {}
export class DocumentSymbol extends Value {}
export class FoldingRange extends Value {}
export class Hover extends Value {}
export class InlayHint extends Value {}
export class InlayHintLabelPart extends Value {}
export class InlineCompletionItem extends Value {}
export class InlineCompletionList extends Value {}
export class InlineValueEvaluatableExpression extends Value {}
export class InlineValueText extends Value {}
export class InlineValueVariableLookup extends Value {}
export class LinkedEditingRanges extends Value {}
export class Location extends Value {}
export class MarkdownString extends Value {}
export class ParameterInformation extends Value {}
export class Position extends Value {}
export class Range extends Value {}
export class RelativePattern extends Value {}
export class SelectionRange extends Value {}
export class SemanticTokens extends Value {}
export class SemanticTokensEdit extends Value {}
export class SemanticTokensEdits extends Value {}
export class SignatureHelp extends Value {}
export class SignatureInformation extends Value {}
export class SnippetString extends Value {}
export class SymbolInformation extends Value {}
export class TextEdit extends Value {}
export class TypeHierarchyItem extends Value {}
export class WorkspaceEdit extends Value {}

/** Enumerations the client reads members of. */
export const CodeActionKind = inert();
export const CodeActionTriggerKind = inert();
export const CompletionItemKind = inert();
export const CompletionItemTag = inert();
export const CompletionTriggerKind = inert();
export const DiagnosticSeverity = inert();
export const DiagnosticTag = inert();
export const DocumentHighlightKind = inert();
export const FileType = inert();
export const FoldingRangeKind = inert();
export const NotebookCellKind = inert();
export const SignatureHelpTriggerKind = inert();
export const SymbolKind = inert();
export const SymbolTag = inert();
export const TextDocumentSaveReason = inert();

export class TabInputText {}
export class TabInputTextDiff {}
export class TabInputCustom {}
export const ProgressLocation = { SourceControl: 1, Window: 10, Notification: 15 };
export const version = "1.85.0";

/** What the tests inspect and drive. */
export const fake = {
  settings: new Map<string, unknown>(),
  /** Every output channel created, by anyone, in order. */
  channels: [] as { name: string; lines: string[] }[],
  errors: [] as { message: string; items: string[] }[],
  /** The buttons the next error messages "click", in order; once empty, messages are dismissed. */
  errorChoices: [] as string[],
  executed: [] as unknown[][],
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  configurationChanged: new EventEmitter<{ affectsConfiguration(section: string): boolean }>(),
  trustGranted: new EventEmitter<undefined>(),
  /** Fires a configuration change for these setting names, as VS Code does after an edit. */
  changeSettings(values: Record<string, unknown>): void {
    for (const [key, value] of Object.entries(values)) {
      this.settings.set(key, value);
    }
    const keys = Object.keys(values);
    this.configurationChanged.fire({
      affectsConfiguration: (section) => keys.some((key) => key === section || key.startsWith(`${section}.`)),
    });
  },
};

function configuration(section?: string) {
  const prefix = section === undefined || section === "" ? "" : `${section}.`;
  return partly({
    get<T>(key: string, defaultValue?: T): T | undefined {
      const full = prefix + key;
      return fake.settings.has(full) ? (fake.settings.get(full) as T) : defaultValue;
    },
    has: (key: string) => fake.settings.has(prefix + key),
    inspect: () => undefined,
    update: () => Promise.resolve(),
  });
}

export const window = partly({
  createOutputChannel: (name: string) => {
    const channel = { name, lines: [] as string[] };
    fake.channels.push(channel);
    return partly({
      name,
      append: (text: string) => channel.lines.push(text),
      appendLine: (line: string) => channel.lines.push(`${line}\n`),
      replace: () => undefined,
      clear: () => undefined,
      show: () => undefined,
      hide: () => undefined,
      dispose: () => undefined,
    });
  },
  showErrorMessage: (message: string, ...items: string[]) => {
    fake.errors.push({ message, items });
    return Promise.resolve(fake.errorChoices.shift());
  },
  showWarningMessage: () => Promise.resolve(undefined),
  showInformationMessage: () => Promise.resolve(undefined),
  activeTextEditor: undefined,
  visibleTextEditors: [],
  tabGroups: partly({ all: [] }),
  onDidChangeActiveTextEditor: () => new Disposable(),
  onDidChangeVisibleTextEditors: () => new Disposable(),
});

export const workspace = partly({
  workspaceFolders: undefined,
  textDocuments: [],
  notebookDocuments: [],
  isTrusted: true,
  getConfiguration: configuration,
  onDidChangeConfiguration: fake.configurationChanged.event,
  onDidGrantWorkspaceTrust: fake.trustGranted.event,
  createFileSystemWatcher: () =>
    partly({
      onDidCreate: () => new Disposable(),
      onDidChange: () => new Disposable(),
      onDidDelete: () => new Disposable(),
      dispose: () => undefined,
    }),
});

export const commands = partly({
  registerCommand: (id: string, handler: (...args: unknown[]) => unknown) => {
    fake.commands.set(id, handler);
    return new Disposable(() => fake.commands.delete(id));
  },
  executeCommand: (...args: unknown[]) => {
    fake.executed.push(args);
    return Promise.resolve(undefined);
  },
});

export const languages = partly({
  match: () => 0,
  createDiagnosticCollection: () =>
    partly({ set: () => undefined, delete: () => undefined, clear: () => undefined, dispose: () => undefined }),
});

export const env = partly({ language: "en", appName: "Fake VS Code", machineId: "test" });

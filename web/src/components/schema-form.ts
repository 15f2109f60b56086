// A form generated from a strategy's parameters_schema (JSON Schema): integers and numbers as
// number inputs with their bounds, enums as selects, booleans as checkboxes, strings as text,
// each with its default and description. It checks what the schema says (type, minimum,
// maximum, enum) before anything is sent; rules between parameters (fast < slow) are the
// server's, and its message is shown next to the field it names.

import type { SchemaProperty, Strategy } from "../api-views";
import { h } from "../dom";

export interface SchemaForm {
  readonly strategy: string;
  readonly element: HTMLFieldSetElement;
  /** `name=value` for every parameter (the API's --param texts). */
  values(): string[];
  /** Checks each field against its schema, shows each problem next to it; true when none. */
  validate(): boolean;
  /** Shows a message next to the parameter `name`; false when the form has no such field. */
  showError(name: string, message: string): boolean;
  clearErrors(): void;
}

interface Field {
  name: string;
  schema: SchemaProperty;
  input: HTMLInputElement | HTMLSelectElement;
  error: HTMLElement;
}

export function schemaForm(strategy: Strategy): SchemaForm {
  const properties = strategy.parameters_schema.properties ?? {};
  const fields: Field[] = [];
  const element = h(
    "fieldset",
    { class: "strategy-form", "data-strategy": strategy.name },
    h("legend", {}, strategy.name),
    h("p", { class: "hint" }, strategy.description),
  );
  for (const [name, schema] of Object.entries(properties)) {
    const id = `param-${strategy.name}-${name}`;
    const input = inputFor(schema, id, name);
    const error = h("span", { class: "field-error", id: `${id}-error`, "aria-live": "polite" });
    input.setAttribute("aria-describedby", `${id}-error`);
    fields.push({ name, schema, input, error });
    const label = h("label", { for: id }, name);
    const bounds = boundsText(schema);
    element.append(
      h(
        "div",
        { class: `field${schema.type === "boolean" ? " check" : ""}`, "data-field": name },
        label,
        input,
        h("span", { class: "hint" }, [schema.description ?? "", bounds].filter(Boolean).join(" · ")),
        error,
      ),
    );
  }
  if (fields.length === 0) element.append(h("p", { class: "hint" }, "No parameters."));

  return {
    strategy: strategy.name,
    element,
    values: () => fields.map((field) => `${field.name}=${valueOf(field)}`),
    validate() {
      let valid = true;
      for (const field of fields) {
        const problem = problemOf(field);
        field.error.textContent = problem ?? "";
        field.input.toggleAttribute("aria-invalid", problem !== null);
        if (problem !== null) valid = false;
      }
      return valid;
    },
    showError(name, message) {
      const field = fields.find((f) => f.name === name);
      if (field === undefined) return false;
      field.error.textContent = message;
      field.input.setAttribute("aria-invalid", "true");
      return true;
    },
    clearErrors() {
      for (const field of fields) {
        field.error.textContent = "";
        field.input.removeAttribute("aria-invalid");
      }
    },
  };
}

function inputFor(schema: SchemaProperty, id: string, name: string): HTMLInputElement | HTMLSelectElement {
  if (schema.enum !== undefined) {
    const select = h("select", { id, name });
    for (const option of schema.enum) {
      select.append(h("option", { value: String(option), selected: option === schema.default }, String(option)));
    }
    return select;
  }
  if (schema.type === "boolean") {
    return h("input", { id, name, type: "checkbox", checked: schema.default === true });
  }
  if (schema.type === "integer" || schema.type === "number") {
    return h("input", {
      id,
      name,
      type: "text",
      inputmode: schema.type === "integer" ? "numeric" : "decimal",
      value: textOf(schema.default),
    });
  }
  return h("input", { id, name, type: "text", value: textOf(schema.default) });
}

/** A default as the text of an input ("" when there is none). */
function textOf(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

function valueOf(field: Field): string {
  const input = field.input;
  if (input instanceof HTMLInputElement && input.type === "checkbox") return input.checked ? "true" : "false";
  return input.value.trim();
}

function boundsText(schema: SchemaProperty): string {
  const parts: string[] = [];
  if (schema.minimum !== undefined) parts.push(`≥ ${schema.minimum}`);
  if (schema.exclusiveMinimum !== undefined) parts.push(`> ${schema.exclusiveMinimum}`);
  if (schema.maximum !== undefined) parts.push(`≤ ${schema.maximum}`);
  if (schema.exclusiveMaximum !== undefined) parts.push(`< ${schema.exclusiveMaximum}`);
  return parts.join(", ");
}

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** What is wrong with the field's value by its schema (null: nothing). */
export function problemOf(field: { name: string; schema: SchemaProperty; input: HTMLInputElement | HTMLSelectElement }): string | null {
  const { schema, input } = field;
  if (input instanceof HTMLInputElement && input.type === "checkbox") return null;
  const text = input.value.trim();
  if (schema.enum !== undefined) {
    return schema.enum.map(String).includes(text) ? null : `${field.name}: expected one of ${schema.enum.join(", ")}`;
  }
  if (schema.type !== "integer" && schema.type !== "number") return null;
  if (text === "") return `${field.name}: a value is required`;
  const pattern = schema.type === "integer" ? INTEGER : NUMBER;
  if (!pattern.test(text)) return `${field.name}: expected ${schema.type === "integer" ? "a whole number" : "a number"}, got '${text}'`;
  const value = Number(text);
  if (schema.minimum !== undefined && value < schema.minimum) return `${field.name}: must be at least ${schema.minimum}`;
  if (schema.maximum !== undefined && value > schema.maximum) return `${field.name}: must be at most ${schema.maximum}`;
  if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) {
    return `${field.name}: must be greater than ${schema.exclusiveMinimum}`;
  }
  if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) {
    return `${field.name}: must be less than ${schema.exclusiveMaximum}`;
  }
  return null;
}

// graphql-codegen plugin: writes `enumLabels`, the Chinese label of each enum value as the schema describes it
// (the server's enums carry their labels as descriptions), so the client never keeps its own copy.
const { isEnumType } = require("graphql");

module.exports = {
  plugin(schema) {
    const out = {};
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isEnumType(type) || type.name.startsWith("__")) continue;
      const labels = {};
      for (const value of type.getValues()) labels[value.name] = (value.description || value.name).trim();
      out[type.name] = labels;
    }
    return (
      "// Generated from frontend_schema/schema.graphql by codegen/enum-labels.cjs. Do not edit.\n" +
      "export const enumLabels: Record<string, Record<string, string>> = " +
      JSON.stringify(out, null, 2) +
      ";\n"
    );
  },
};

// Types and typed documents generated from the contract in ../frontend_schema: the schema the server exports
// and the named operations the client is allowed to send. Output goes to src/gql/ (not committed: it is
// rebuilt by every `npm run build`, `npm test` and `npm run dev`, so it can never drift from the contract).
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../frontend_schema/schema.graphql",
  documents: ["../frontend_schema/operations/*.graphql"],
  ignoreNoDocuments: false,
  generates: {
    "src/gql/graphql.ts": {
      plugins: ["typescript", "typescript-operations", "typed-document-node"],
      config: {
        enumsAsTypes: true,
        scalars: { ID: "string", Date: "string", DateTime: "string", Decimal: "string", Upload: "File", JSON: "unknown" },
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
        useTypeImports: true,
      },
    },
    // Chinese labels of every enum value, taken from the descriptions in the exported schema.
    "src/gql/enumLabels.ts": { plugins: ["./codegen/enum-labels.cjs"] },
  },
};
export default config;

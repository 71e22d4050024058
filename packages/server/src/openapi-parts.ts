/**
 * Building blocks of the OpenAPI document, shared by openapi.ts and the per-feature
 * openapi-*.ts files it spreads in.
 */
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const json = (schema: object, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
export const param = (name: string, description: string) => ({ name, in: 'path', required: true, schema: { type: 'string' }, description });
export const query = (name: string, description: string, schema: object = { type: 'string' }) => ({ name, in: 'query', required: false, schema, description });
export const body = (schema: object) => ({ required: true, content: { 'application/json': { schema } } });
/** Every route but the health probes, `/metrics` and the dashboard's files needs a bearer token. */
export const security = [{ bearer: [] }];

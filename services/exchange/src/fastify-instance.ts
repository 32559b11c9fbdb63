/** The one place that imports fastify, so its ESM/CJS shape is handled once. */
import fastify from 'fastify';

export const Fastify = fastify;
export type { FastifyInstance } from 'fastify';

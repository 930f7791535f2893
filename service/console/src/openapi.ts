// Generated from the service's /openapi.json by `npm run console:types`; do not edit.
export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The process is alive */
        get: operations["health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The lake is attached, its catalog answers, and the API keys are read */
        get: operations["ready"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics: request latency by route and status, ingest runs, quarantined records, snapshots */
        get: operations["metrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/docs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Interactive API documentation */
        get: operations["docs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The web console: datasets, runs, quarantine and records (sign in with an API key) */
        get: operations["console"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/key": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The API key making the request: its id, name and scope (never the secret) */
        get: operations["getKey"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/datasets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every declared dataset with its schema, row count, current snapshot and last run */
        get: operations["listDatasets"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/datasets/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One dataset: its schema, row count, current snapshot and last run */
        get: operations["getDataset"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/datasets/{name}/snapshots": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The snapshots in which ingest runs changed the dataset, newest first: the points `asOf` can read */
        get: operations["listSnapshots"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/datasets/{name}/changes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The change feed between two snapshots (inclusive): inserts, updates (pre- and post-image), deletes
         * @description Pages carry `next` while the range has more changes. To follow the feed, call again with `from` set to the last `to` plus one.
         */
        get: operations["listChanges"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Ingest runs, newest first, with what each did with the records it received */
        get: operations["listRuns"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One run: what it did, or that it is still under way on any replica */
        get: operations["getRun"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/datasets/{name}/quarantine": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Records the dataset’s runs quarantined, with the reason and the record as received (admin keys) */
        get: operations["listQuarantine"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/datasets/{name}/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start a run of the dataset from its source now, in this server (admin keys)
         * @description Answers 202 as soon as the run holds the dataset’s writer lease, with its id and a Location to follow; 409 with the holder’s run id while another run of the dataset is under way.
         */
        post: operations["startRun"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/datasets/{name}/quarantine/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Re-drive the dataset’s quarantined records through its current definition, in this server (admin keys)
         * @description Records that now pass are stored; those that still fail are quarantined again by the new run. Answers like `startRun`.
         */
        post: operations["replayQuarantine"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This document: OpenAPI 3.1, generated from the routes the server serves */
        get: operations["openapi"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: never;
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    health: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description alive */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        status: "ok";
                    };
                };
            };
            /** @description the request’s parameters are wrong; `errors` names each */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the request has a body larger than the server takes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the query string is longer than the server takes */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
        };
    };
    ready: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description ready */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        status: "ready";
                        snapshot: number;
                    };
                };
            };
            /** @description the request’s parameters are wrong; `errors` names each */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the request has a body larger than the server takes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the query string is longer than the server takes */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description not ready */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        status: "not ready";
                        /** @enum {string} */
                        reason: "the API keys cannot be read" | "the lake is not reachable";
                    };
                };
            };
        };
    };
    metrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prometheus text format */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description the request’s parameters are wrong; `errors` names each */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description no API key, or one that is unknown or revoked */
            401: {
                headers: {
                    /** @description `Bearer realm="odp"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the key’s scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the request has a body larger than the server takes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the query string is longer than the server takes */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description rate limit exceeded; retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait before retrying */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the lake is unavailable, the service is busy, or the query took too long */
            503: {
                headers: {
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
        };
    };
    docs: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description HTML page */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
            /** @description the request’s parameters are wrong; `errors` names each */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the request has a body larger than the server takes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the query string is longer than the server takes */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
        };
    };
    console: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description HTML page */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
            /** @description the request’s parameters are wrong; `errors` names each */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the request has a body larger than the server takes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the query string is longer than the server takes */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
        };
    };
    getKey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the key */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        name: string;
                        /** @enum {string} */
                        scope: "read" | "admin";
                    };
                };
            };
            /** @description the request’s parameters are wrong; `errors` names each */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description no API key, or one that is unknown or revoked */
            401: {
                headers: {
                    /** @description `Bearer realm="odp"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the request has a body larger than the server takes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the query string is longer than the server takes */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description rate limit exceeded; retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait before retrying */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
        };
    };
    listDatasets: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the datasets */
            200: {
                headers: {
                    /** @description the response’s entity tag; send it back in If-None-Match for a 304 while nothing changed */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            name: string;
                            description?: string;
                            key: string[];
                            version?: string;
                            schedule: string;
                            /** @description the order the lake keeps the files in: reads filtered on these columns, first one first, are the fast ones */
                            sortedBy?: string[];
                            columns: {
                                name: string;
                                type: string;
                                nullable: boolean;
                                description?: string;
                            }[];
                            /** @description records at the current snapshot */
                            rows: number;
                            /** @description the snapshot of the latest run that changed the dataset */
                            snapshot: number | null;
                            /** @description quarantined records waiting for a re-drive */
                            quarantined: number;
                            lastRun: {
                                run_id: string;
                                dataset: string;
                                /** @enum {string} */
                                trigger: "manual" | "schedule" | "replay" | "quarantine-replay";
                                /** @description where the run read its records */
                                source: string;
                                /** @enum {string} */
                                status: "succeeded" | "failed" | "not-modified" | "abandoned";
                                error: string | null;
                                /** @description RFC 3339, UTC */
                                started_at: string;
                                /** @description RFC 3339, UTC */
                                ended_at: string;
                                received: number;
                                inserted: number;
                                updated: number;
                                unchanged: number;
                                quarantined: number;
                                /** @description the snapshot the run committed its data in */
                                snapshot_id: number | null;
                                /** @description the raw increments the run read, as keys in the increment store */
                                increments: string[];
                                /** @description the most frequent quarantine reasons of the run, most frequent first (at most five) */
                                top_reasons: {
                                    code: string;
                                    count: number;
                                }[];
                                /** @description what the run left undone without failing, with the reason (e.g. summaries left empty) */
                                notes: string[];
                            } | null;
                        }[];
                        snapshot: number;
                    };
                };
            };
            /** @description not modified since the ETag presented in If-None-Match */
            304: {
                headers: {
                    /** @description the response’s entity tag; send it back in If-None-Match for a 304 while nothing changed */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description the request’s parameters are wrong; `errors` names each */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description no API key, or one that is unknown or revoked */
            401: {
                headers: {
                    /** @description `Bearer realm="odp"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the request has a body larger than the server takes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the query string is longer than the server takes */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description rate limit exceeded; retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait before retrying */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the lake is unavailable, the service is busy, or the query took too long */
            503: {
                headers: {
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
        };
    };
    getDataset: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description dataset name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the dataset */
            200: {
                headers: {
                    /** @description the response’s entity tag; send it back in If-None-Match for a 304 while nothing changed */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        name: string;
                        description?: string;
                        key: string[];
                        version?: string;
                        schedule: string;
                        /** @description the order the lake keeps the files in: reads filtered on these columns, first one first, are the fast ones */
                        sortedBy?: string[];
                        columns: {
                            name: string;
                            type: string;
                            nullable: boolean;
                            description?: string;
                        }[];
                        /** @description records at the current snapshot */
                        rows: number;
                        /** @description the snapshot of the latest run that changed the dataset */
                        snapshot: number | null;
                        /** @description quarantined records waiting for a re-drive */
                        quarantined: number;
                        lastRun: {
                            run_id: string;
                            dataset: string;
                            /** @enum {string} */
                            trigger: "manual" | "schedule" | "replay" | "quarantine-replay";
                            /** @description where the run read its records */
                            source: string;
                            /** @enum {string} */
                            status: "succeeded" | "failed" | "not-modified" | "abandoned";
                            error: string | null;
                            /** @description RFC 3339, UTC */
                            started_at: string;
                            /** @description RFC 3339, UTC */
                            ended_at: string;
                            received: number;
                            inserted: number;
                            updated: number;
                            unchanged: number;
                            quarantined: number;
                            /** @description the snapshot the run committed its data in */
                            snapshot_id: number | null;
                            /** @description the raw increments the run read, as keys in the increment store */
                            increments: string[];
                            /** @description the most frequent quarantine reasons of the run, most frequent first (at most five) */
                            top_reasons: {
                                code: string;
                                count: number;
                            }[];
                            /** @description what the run left undone without failing, with the reason (e.g. summaries left empty) */
                            notes: string[];
                        } | null;
                    };
                };
            };
            /** @description not modified since the ETag presented in If-None-Match */
            304: {
                headers: {
                    /** @description the response’s entity tag; send it back in If-None-Match for a 304 while nothing changed */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description the request’s parameters are wrong; `errors` names each */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description no API key, or one that is unknown or revoked */
            401: {
                headers: {
                    /** @description `Bearer realm="odp"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description no such dataset, record, run or snapshot */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the request has a body larger than the server takes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the query string is longer than the server takes */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description rate limit exceeded; retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait before retrying */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the lake is unavailable, the service is busy, or the query took too long */
            503: {
                headers: {
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
        };
    };
    listSnapshots: {
        parameters: {
            query?: {
                /** @description at most this many items (1–1000, default 100) */
                limit?: number;
                /** @description only snapshots older than this one (paging) */
                before?: number;
            };
            header?: never;
            path: {
                /** @description dataset name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the snapshots */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            snapshot_id: number;
                            snapshot_time: string;
                            commit_message: string | null;
                            run_id: string;
                            trigger: string;
                            inserted: number;
                            updated: number;
                            quarantined: number;
                        }[];
                    };
                };
            };
            /** @description the request’s parameters are wrong; `errors` names each */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description no API key, or one that is unknown or revoked */
            401: {
                headers: {
                    /** @description `Bearer realm="odp"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description no such dataset, record, run or snapshot */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the request has a body larger than the server takes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the query string is longer than the server takes */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description rate limit exceeded; retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait before retrying */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the lake is unavailable, the service is busy, or the query took too long */
            503: {
                headers: {
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
        };
    };
    listChanges: {
        parameters: {
            query: {
                from: number;
                /** @description last snapshot of the range (default: the current one) */
                to?: number;
                /** @description at most this many items (1–1000, default 100) */
                limit?: number;
                /** @description the `next` value of the previous page, unchanged */
                cursor?: string;
            };
            header?: never;
            path: {
                /** @description dataset name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the changes, ordered by snapshot, row and change; none when `from` is after `to` */
            200: {
                headers: {
                    /** @description the response’s entity tag; send it back in If-None-Match for a 304 while nothing changed */
                    ETag?: string;
                    /** @description the lake snapshot the answer was read from */
                    "ODP-Snapshot"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        from: number;
                        to: number;
                        data: ({
                            snapshot_id: number;
                            rowid: number;
                            /** @enum {string} */
                            change_type: "insert" | "delete" | "update_preimage" | "update_postimage";
                        } & {
                            [key: string]: unknown;
                        })[];
                        next: string | null;
                    };
                };
            };
            /** @description not modified since the ETag presented in If-None-Match */
            304: {
                headers: {
                    /** @description the response’s entity tag; send it back in If-None-Match for a 304 while nothing changed */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description the request’s parameters are wrong; `errors` names each */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description no API key, or one that is unknown or revoked */
            401: {
                headers: {
                    /** @description `Bearer realm="odp"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description no such dataset, record, run or snapshot */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the request has a body larger than the server takes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the query string is longer than the server takes */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description rate limit exceeded; retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait before retrying */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the lake is unavailable, the service is busy, or the query took too long */
            503: {
                headers: {
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
        };
    };
    listRuns: {
        parameters: {
            query?: {
                /** @description only runs of this dataset */
                dataset?: string;
                /** @description only runs with this outcome */
                status?: "succeeded" | "failed" | "not-modified" | "abandoned";
                /** @description at most this many items (1–1000, default 100) */
                limit?: number;
                /** @description the `next` value of the previous page, unchanged */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the runs */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            run_id: string;
                            dataset: string;
                            /** @enum {string} */
                            trigger: "manual" | "schedule" | "replay" | "quarantine-replay";
                            /** @description where the run read its records */
                            source: string;
                            /** @enum {string} */
                            status: "succeeded" | "failed" | "not-modified" | "abandoned";
                            error: string | null;
                            /** @description RFC 3339, UTC */
                            started_at: string;
                            /** @description RFC 3339, UTC */
                            ended_at: string;
                            received: number;
                            inserted: number;
                            updated: number;
                            unchanged: number;
                            quarantined: number;
                            /** @description the snapshot the run committed its data in */
                            snapshot_id: number | null;
                            /** @description the raw increments the run read, as keys in the increment store */
                            increments: string[];
                            /** @description the most frequent quarantine reasons of the run, most frequent first (at most five) */
                            top_reasons: {
                                code: string;
                                count: number;
                            }[];
                            /** @description what the run left undone without failing, with the reason (e.g. summaries left empty) */
                            notes: string[];
                        }[];
                        /** @description runs under way now on any replica, newest first (of the dataset asked for); on the first page without a status filter only */
                        running: {
                            run_id: string;
                            dataset: string;
                            /** @constant */
                            status: "running";
                            /** @enum {string} */
                            trigger: "manual" | "schedule" | "replay" | "quarantine-replay";
                            /** @description RFC 3339, UTC */
                            started_at: string;
                            /** @description the host and process that runs it */
                            replica: string;
                        }[];
                        /** @description cursor of the next page, null on the last: send it as `cursor` with the same filters */
                        next: string | null;
                    };
                };
            };
            /** @description the request’s parameters are wrong; `errors` names each */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description no API key, or one that is unknown or revoked */
            401: {
                headers: {
                    /** @description `Bearer realm="odp"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description no such dataset, record, run or snapshot */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the request has a body larger than the server takes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the query string is longer than the server takes */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description rate limit exceeded; retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait before retrying */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the lake is unavailable, the service is busy, or the query took too long */
            503: {
                headers: {
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
        };
    };
    getRun: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the run */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        run_id: string;
                        dataset: string;
                        /** @enum {string} */
                        trigger: "manual" | "schedule" | "replay" | "quarantine-replay";
                        /** @description where the run read its records */
                        source: string;
                        /** @enum {string} */
                        status: "succeeded" | "failed" | "not-modified" | "abandoned";
                        error: string | null;
                        /** @description RFC 3339, UTC */
                        started_at: string;
                        /** @description RFC 3339, UTC */
                        ended_at: string;
                        received: number;
                        inserted: number;
                        updated: number;
                        unchanged: number;
                        quarantined: number;
                        /** @description the snapshot the run committed its data in */
                        snapshot_id: number | null;
                        /** @description the raw increments the run read, as keys in the increment store */
                        increments: string[];
                        /** @description the most frequent quarantine reasons of the run, most frequent first (at most five) */
                        top_reasons: {
                            code: string;
                            count: number;
                        }[];
                        /** @description what the run left undone without failing, with the reason (e.g. summaries left empty) */
                        notes: string[];
                    } | {
                        run_id: string;
                        dataset: string;
                        /** @constant */
                        status: "running";
                        /** @enum {string} */
                        trigger: "manual" | "schedule" | "replay" | "quarantine-replay";
                        /** @description RFC 3339, UTC */
                        started_at: string;
                        /** @description the host and process that runs it */
                        replica: string;
                    };
                };
            };
            /** @description the request’s parameters are wrong; `errors` names each */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description no API key, or one that is unknown or revoked */
            401: {
                headers: {
                    /** @description `Bearer realm="odp"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description no such dataset, record, run or snapshot */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the request has a body larger than the server takes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the query string is longer than the server takes */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description rate limit exceeded; retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait before retrying */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the lake is unavailable, the service is busy, or the query took too long */
            503: {
                headers: {
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
        };
    };
    listQuarantine: {
        parameters: {
            query?: {
                /** @description only records of this run */
                run?: string;
                /** @description also records already re-driven */
                all?: "true" | "false";
                /** @description at most this many items (1–1000, default 100) */
                limit?: number;
            };
            header?: never;
            path: {
                /** @description dataset name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the quarantined records, oldest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            dataset: string;
                            run_id: string;
                            /** @description its place in the run’s payload */
                            record_no: number | string;
                            /** @description the record as received */
                            raw: string | null;
                            reason: string;
                            codes: string[];
                            quarantined_at: string;
                            /** @description the run that re-drove the record, if any */
                            replayed_by: string | null;
                        }[];
                    };
                };
            };
            /** @description the request’s parameters are wrong; `errors` names each */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description no API key, or one that is unknown or revoked */
            401: {
                headers: {
                    /** @description `Bearer realm="odp"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the key’s scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description no such dataset, record, run or snapshot */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the request has a body larger than the server takes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the query string is longer than the server takes */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description rate limit exceeded; retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait before retrying */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the lake is unavailable, the service is busy, or the query took too long */
            503: {
                headers: {
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
        };
    };
    startRun: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description dataset name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the run started; Location is where its outcome will be */
            202: {
                headers: {
                    /** @description where the run’s outcome will be: GET it (`getRun`) */
                    Location: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        run_id: string;
                        dataset: string;
                        /** @constant */
                        status: "running";
                        /** @enum {string} */
                        trigger: "manual" | "schedule" | "replay" | "quarantine-replay";
                        /** @description RFC 3339, UTC */
                        started_at: string;
                        /** @description the host and process that runs it */
                        replica: string;
                    };
                };
            };
            /** @description the request’s parameters are wrong; `errors` names each */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description no API key, or one that is unknown or revoked */
            401: {
                headers: {
                    /** @description `Bearer realm="odp"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the key’s scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description no such dataset, record, run or snapshot */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the dataset is being ingested by another run; `holder` names it */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the request has a body larger than the server takes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the query string is longer than the server takes */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description rate limit exceeded; retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait before retrying */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the lake is unavailable, the service is busy, or the query took too long */
            503: {
                headers: {
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
        };
    };
    replayQuarantine: {
        parameters: {
            query?: {
                /** @description only records of this run */
                run?: string;
            };
            header?: never;
            path: {
                /** @description dataset name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the run started; Location is where its outcome will be */
            202: {
                headers: {
                    /** @description where the run’s outcome will be: GET it (`getRun`) */
                    Location: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        run_id: string;
                        dataset: string;
                        /** @constant */
                        status: "running";
                        /** @enum {string} */
                        trigger: "manual" | "schedule" | "replay" | "quarantine-replay";
                        /** @description RFC 3339, UTC */
                        started_at: string;
                        /** @description the host and process that runs it */
                        replica: string;
                    };
                };
            };
            /** @description the request’s parameters are wrong; `errors` names each */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description no API key, or one that is unknown or revoked */
            401: {
                headers: {
                    /** @description `Bearer realm="odp"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the key’s scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description no such dataset, record, run or snapshot */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the dataset is being ingested by another run; `holder` names it */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the request has a body larger than the server takes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the query string is longer than the server takes */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description rate limit exceeded; retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description seconds to wait before retrying */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the lake is unavailable, the service is busy, or the query took too long */
            503: {
                headers: {
                    /** @description seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
        };
    };
    openapi: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the OpenAPI document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            /** @description the request’s parameters are wrong; `errors` names each */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the request has a body larger than the server takes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
            /** @description the query string is longer than the server takes */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        type: string;
                        title: string;
                        status: number;
                        detail: string;
                        instance?: string;
                        requestId?: string;
                        errors?: {
                            parameter?: string;
                            message?: string;
                        }[];
                    };
                };
            };
        };
    };
}

/** Fixed by the subscription owner: everything ODP deploys lives here. */
export const REQUIRED_LOCATION = 'italynorth';
export const REQUIRED_RESOURCE_GROUP = 'jkl-open-data-platform';
/**
 * The one identity that may send texts to a language model: the ingest CronJobs' writer identity, which
 * summarises what it ingests. The API pods, the pipelines and people never call the model.
 */
export const LANGUAGE_MODEL_CALLER = 'id-odp-lake-service';

/** Fixed by the subscription owner: everything ODP deploys lives here. */
export const REQUIRED_LOCATION = 'italynorth';
export const REQUIRED_RESOURCE_GROUP = 'jkl-open-data-platform';

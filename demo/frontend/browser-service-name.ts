/**
 * The shop page's service.name, and so its dataset. The page sends with an ingest-only key
 * (send_events), which may not create a dataset: the demo creates this one before the page loads.
 */
export const BROWSER_SERVICE_NAME = 'demo-browser';

import { brafaProject } from '../../vitest.shared.ts';

export default brafaProject('store-kysely');

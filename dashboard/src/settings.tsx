// The account and settings pages, in their own chunk: loaded when first opened, not with the overview.
export { Account } from './account';
export { CountingRules } from './counting-rules';
export { Teams } from './teams';
export { Users } from './users';
export { SetupStep } from './setup-step';
export { Reports } from './reports';
export { VisitorsPage } from './visitors';

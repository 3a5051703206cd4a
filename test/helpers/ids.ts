export const ORG_ID = '0b5c2a3e-6f1d-4c5e-9a7b-1d2e3f4a5b6c';
export const JOB_ID = '9f8e7d6c-5b4a-4321-8fed-cba987654321';

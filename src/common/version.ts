/** This package's version; a test keeps it equal to package.json's. Sent in `Evo-SDK-Source`. */
export const PACKAGE_VERSION = '0.1.0';
export const SDK_SOURCE = `evo-compute-temporal@v${PACKAGE_VERSION}`;

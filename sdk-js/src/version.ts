/** The SDK's version (kept equal to sdk-js/package.json by the build, which checks it). */
export const SDK_VERSION = '0.1.0';

declare namespace Cloudflare {
  interface Env {
    [key: string]: string;
  }
}
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}

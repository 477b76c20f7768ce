// The sandboxed preload (bundled as CommonJS: sandboxed preloads cannot be ES modules).
import { contextBridge, ipcRenderer } from 'electron';
import { exposeContract } from './preload-api.js';

exposeContract(contextBridge, ipcRenderer);

// What the console-address parsers produce, besides the target itself.
import type { TcpTarget, WebSocketTarget } from '../console-target.js';

export type ParsedTarget = WebSocketTarget | TcpTarget;

/** Display choices an address carries (noVNC's view_only, RFC 7869's ViewOnly…), applied when the console opens. */
export interface AddressDisplay {
  viewOnly?: boolean;
  shared?: boolean;
  quality?: number;
  compression?: number;
  scaling?: 'fit' | 'actual' | 'remote';
}

/** One parser's result before the entry point adds the kind and warnings. */
export interface ParsedAddress {
  target: ParsedTarget;
  display?: AddressDisplay;
  /** A display name the address itself gives (RFC 7869 ConnectionName). */
  title?: string;
  /** Secret-free remarks for the user: parameters not used, rules applied. */
  notices: string[];
}

/**
 * An address recognised for what it is but not opened as a VNC console. Cloud accounts (Proxmox) and
 * a future serial console hook in here: the refusal carries this typed description.
 */
export type RecognisedConsole =
  | {
      kind: 'proxmox';
      host: string;
      port: number;
      node: string;
      /** Absent for a node shell. */
      vmid?: number;
      /** kvm: a VM; lxc: a container; shell: the node's own shell. */
      console: 'kvm' | 'lxc' | 'shell';
      /** xterm.js (a terminal console) rather than noVNC. */
      terminal: boolean;
    }
  | { kind: 'nova-serial' | 'nova-spice' | 'nova-xvpvnc' | 'nova-rdp' | 'nova-webmks' | 'spice' | 'rdp'; host: string; port: number };

export function tunnelServerArgs(port: number): string[];

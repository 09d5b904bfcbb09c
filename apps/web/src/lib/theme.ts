import { useSyncExternalStore } from 'react';

/** Light or dark: the system's setting until the header toggle picks one, which is then remembered. */
export type Theme = 'light' | 'dark';

const STORAGE_KEY = 'pizza-theme';
const listeners = new Set<() => void>();
const systemDark = () => window.matchMedia('(prefers-color-scheme: dark)');

function chosen(): Theme | null {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === 'light' || value === 'dark' ? value : null;
  } catch {
    return null; // storage blocked: follow the system
  }
}

const current = (): Theme => chosen() ?? (systemDark().matches ? 'dark' : 'light');

function apply(): void {
  document.documentElement.classList.toggle('dark', current() === 'dark');
  for (const listener of listeners) listener();
}

/** Applies the theme before the first render and follows the system while nothing was chosen. */
export function initTheme(): void {
  apply();
  systemDark().addEventListener('change', () => {
    if (!chosen()) apply();
  });
}

export function chooseTheme(theme: Theme): void {
  try {
    localStorage.setItem(STORAGE_KEY, theme);
  } catch {
    // not remembered, still applied
  }
  apply();
}

function subscribe(onChange: () => void): () => void {
  listeners.add(onChange);
  return () => listeners.delete(onChange);
}

export function useTheme(): Theme {
  return useSyncExternalStore(subscribe, current, () => 'light');
}

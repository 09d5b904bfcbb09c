import { Moon, Sun } from 'lucide-react';
import { chooseTheme, useTheme } from '@/lib/theme';

/** The header's light/dark switch: a toggle button, pressed when the dark theme is on. */
export function ThemeToggle() {
  const dark = useTheme() === 'dark';
  return (
    <button
      type="button"
      aria-pressed={dark}
      data-testid="theme-toggle"
      onClick={() => chooseTheme(dark ? 'light' : 'dark')}
      className="inline-flex size-10 items-center justify-center rounded-md text-foreground/85 transition-colors hover:bg-accent hover:text-foreground"
    >
      {dark ? <Moon aria-hidden="true" className="size-4" /> : <Sun aria-hidden="true" className="size-4" />}
      <span className="sr-only">Dark theme</span>
    </button>
  );
}

// One per view: a bug in one view shows a sentence and a way back, and the other views keep
// working. The stack goes to the console, not the screen.
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  name: string;
  children: ReactNode;
}

export class ErrorBoundary extends Component<Props, { error: Error | undefined }> {
  override state = { error: undefined as Error | undefined };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(`The ${this.props.name} view failed`, error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="view-crash" role="alert">
        <h3>The {this.props.name} view hit a problem</h3>
        <p>{this.state.error.message || 'An unexpected error.'}</p>
        <p className="muted">The other views still work. The details are in the developer console.</p>
        <button className="btn btn-primary" onClick={() => this.setState({ error: undefined })}>
          Reload this view
        </button>
      </div>
    );
  }
}
